import type { AdminRole, ApiStatus, ConsumerStatus, Environment, SERVABLE_CLASSIFICATIONS } from '@lgsp/contracts';

/**
 * A declarative file after validation and resolution: defaults applied, referenced files read,
 * OpenAPI documents parsed. Fields left out are absent (see the schema on omitted statuses).
 */
export interface DeclarativeConfig {
  /** The file it came from, named in every error message. */
  readonly source: string;
  readonly consumers: readonly DeclarativeConsumer[];
  readonly admins: readonly DeclarativeAdmin[];
  readonly apis: readonly DeclarativeApi[];
}

/** A plain secret (stored only as its keyed hash) or a hash made with the same pepper. */
export type DeclarativeSecret = { readonly plain: string } | { readonly hash: string };

export interface DeclarativeConsumer {
  readonly id: string;
  readonly name: string;
  readonly organisation?: string;
  /** Omitted: active when created, unchanged otherwise. */
  readonly status?: ConsumerStatus;
  readonly credentials: readonly DeclarativeCredential[];
  readonly certificates: readonly DeclarativeCertificate[];
  readonly limits?: { readonly readPerMinute: number; readonly writePerMinute: number };
  readonly subscriptions: readonly DeclarativeSubscription[];
}

export interface DeclarativeCredential {
  readonly clientId: string;
  readonly secret: DeclarativeSecret;
  readonly environment: Environment;
  readonly tokenTtlSeconds?: number;
}

export interface DeclarativeCertificate {
  readonly id: string;
  /** PEM of one X.509 certificate. */
  readonly pem: string;
}

export interface DeclarativeSubscription {
  readonly api: string;
  readonly version: string;
  readonly environments: readonly Environment[];
}

export interface DeclarativeAdmin {
  readonly clientId: string;
  readonly secret: DeclarativeSecret;
  readonly roles: readonly AdminRole[];
  readonly name?: string;
  readonly organisation?: string;
}

export interface DeclarativeApi {
  readonly domain: string;
  readonly version: string;
  readonly name?: string;
  readonly provider?: string;
  readonly upstreams: { readonly sandbox: string; readonly production: string };
  readonly openapi: Readonly<Record<string, unknown>>;
  readonly classification: (typeof SERVABLE_CLASSIFICATIONS)[number];
  /** Omitted: published when created, unchanged otherwise. */
  readonly status?: ApiStatus;
  /** YYYY-MM-DD. */
  readonly sunset?: string;
  readonly readTimeoutMs?: number;
  readonly writeTimeoutMs?: number;
}

export interface ApplyCounts {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
}

/** What an apply did, per kind of entity. */
export interface ApplyResult {
  readonly consumers: ApplyCounts;
  readonly credentials: ApplyCounts;
  readonly certificates: ApplyCounts;
  readonly rateLimits: ApplyCounts;
  readonly subscriptions: ApplyCounts;
  readonly apis: ApplyCounts;
  readonly apiVersions: ApplyCounts;
  readonly admins: ApplyCounts;
}

/** The file as written (snake_case), once it passed the JSON schema. */
export interface RawDeclarativeConfig {
  format_version: '1';
  consumers?: RawConsumer[];
  admins?: RawAdmin[];
  apis?: RawApi[];
}

export interface RawSecretChoice {
  client_secret?: string;
  client_secret_hash?: string;
}

export interface RawConsumer {
  id: string;
  name: string;
  organisation?: string;
  status?: ConsumerStatus;
  credentials?: (RawSecretChoice & { client_id: string; environment: Environment; token_ttl_seconds?: number })[];
  certificates?: { id: string; pem_file?: string; pem?: string }[];
  limits?: { read_per_minute: number; write_per_minute: number };
  subscriptions?: { api: string; version: string; environments?: Environment[] }[];
}

export interface RawAdmin extends RawSecretChoice {
  client_id: string;
  roles: AdminRole[];
  name?: string;
  organisation?: string;
}

export interface RawApi {
  domain: string;
  version: string;
  name?: string;
  provider?: string;
  upstream?: string;
  upstreams?: { sandbox: string; production: string };
  openapi_file?: string;
  openapi?: Record<string, unknown>;
  classification: (typeof SERVABLE_CLASSIFICATIONS)[number];
  status?: ApiStatus;
  sunset?: string;
  read_timeout_ms?: number;
  write_timeout_ms?: number;
}
