import type { ApiStatus, ConsumerStatus, Environment, SERVABLE_CLASSIFICATIONS } from '@lgsp/contracts';

import type { CertificateStatus, ConnectionOption } from '../schema/status.constant';

/**
 * Everything a gateway needs to route and authorize, as plain JSON-serialisable data (timestamps as
 * ISO 8601 strings), so a replica can keep the last good one on disk.
 */
export interface RegistrySnapshot {
  readonly apiVersions: readonly SnapshotApiVersion[];
  readonly consumers: readonly SnapshotConsumer[];
  readonly subscriptions: readonly SnapshotSubscription[];
  readonly rateLimits: readonly SnapshotRateLimit[];
  readonly certificates: readonly SnapshotCertificate[];
}

export interface SnapshotApiVersion {
  readonly id: string;
  readonly domain: string;
  readonly version: string;
  readonly status: ApiStatus;
  readonly classification: (typeof SERVABLE_CLASSIFICATIONS)[number];
  readonly upstreams: { readonly sandbox: string; readonly production: string };
  readonly readTimeoutMs?: number;
  readonly writeTimeoutMs?: number;
  /** YYYY-MM-DD. */
  readonly sunset?: string;
  readonly openapi: Readonly<Record<string, unknown>>;
}

export interface SnapshotConsumer {
  readonly id: string;
  readonly status: ConsumerStatus;
  readonly securityLevel?: number;
  readonly maxClassification?: (typeof SERVABLE_CLASSIFICATIONS)[number];
  readonly connectionOption?: ConnectionOption;
}

export interface SnapshotSubscription {
  readonly consumerId: string;
  readonly apiVersionId: string;
  readonly environment: Environment;
}

export interface SnapshotRateLimit {
  readonly consumerId: string;
  /** Null: the consumer's default for every API version. */
  readonly apiVersionId: string | null;
  readonly readPerMinute: number;
  readonly writePerMinute: number;
}

export interface SnapshotCertificate {
  /** The RFC 9421 keyid. */
  readonly id: string;
  readonly consumerId: string;
  readonly pem: string;
  readonly fingerprintSha256: string;
  /** ISO 8601. */
  readonly notBefore: string;
  /** ISO 8601. */
  readonly notAfter: string;
  readonly status: CertificateStatus;
}
