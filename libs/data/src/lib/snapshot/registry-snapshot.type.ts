import type { ApiStatus, ConsumerStatus, Environment, SERVABLE_CLASSIFICATIONS } from '@lgsp/contracts';

import type { ApiKind, BlockScope, CertificateStatus, ConnectionOption } from '../schema/status.constant';

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
  /** Kill switches not lifted and not yet over; a gateway checks their window on each request. */
  readonly blocks: readonly SnapshotBlock[];
}

export interface SnapshotApiVersion {
  readonly id: string;
  readonly domain: string;
  readonly version: string;
  /** The provider unit that publishes the API (kill switches can stop all of its APIs). */
  readonly provider?: string;
  readonly kind: ApiKind;
  readonly status: ApiStatus;
  readonly classification: (typeof SERVABLE_CLASSIFICATIONS)[number];
  readonly upstreams: { readonly sandbox: string; readonly production: string };
  readonly readTimeoutMs?: number;
  readonly writeTimeoutMs?: number;
  /** YYYY-MM-DD. */
  readonly sunset?: string;
  /** ISO 8601, when deprecated: the moment for RFC 9745's Deprecation header. */
  readonly deprecatedAt?: string;
  /** The successor version's path, /v2/documents, once one is published. */
  readonly successor?: string;
  /** REST: the provider's OpenAPI 3.0 document. SOAP: null. */
  readonly openapi: Readonly<Record<string, unknown>> | null;
  /** SOAP: the SOAPAction values that only read (every other action is a write). */
  readonly soapReadActions?: readonly string[];
}

export interface SnapshotBlock {
  readonly id: string;
  readonly scope: BlockScope;
  readonly provider?: string;
  readonly apiVersionId?: string;
  /** 'GET /persons/{id}' for an operation block. */
  readonly operation?: string;
  readonly reason: string;
  /** ISO 8601. */
  readonly startsAt: string;
  /** ISO 8601; absent: until lifted. */
  readonly endsAt?: string;
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
