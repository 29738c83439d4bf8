import type { TransactionRecord } from '@lgsp/contracts';

/** The ECS version the document follows (field names and types). */
export const ECS_VERSION = '8.11.0';

/**
 * One transaction as indexed in the data stream. Every field is listed here and mapped in
 * `TRANSACTION_MAPPINGS`; the template is `dynamic: strict`, so a field added here without its
 * mapping is refused by Elasticsearch (and caught by the mapping spec first).
 */
export interface EcsTransactionDocument {
  '@timestamp': string;
  ecs: { version: string };
  event: {
    id: string;
    kind: 'event' | 'alert';
    category: string[];
    type: string[];
    outcome: 'success' | 'failure';
    /** Nanoseconds, as ECS requires. */
    duration: number;
    dataset: string;
  };
  transaction: { id: string };
  trace?: { id: string };
  /** The platform service that recorded it: `gateway` or `iam`. */
  service?: { name: string };
  client: { ip: string; address: string };
  http: {
    request: { id?: string; method: string; bytes: number };
    response: { status_code: number; bytes: number };
  };
  url: { path: string };
  error?: { code: string };
  lgsp: {
    consumer?: { id: string };
    client?: { id: string };
    api?: { id?: string; domain?: string; version?: string };
    provider?: { id: string };
    /** The operation's path template: `url.path` holds the concrete path. */
    route?: { template: string };
    classification?: string;
    /** `party-wan` or `internet`: a network zone of the platform's, not a geography (so not `client.geo`). */
    zone?: string;
    environment?: string;
    /** The upstream attempt: its own times, not the event's (`event.start`/`end` would be the whole transaction's). */
    upstream?: { started_at?: string; ended_at?: string; duration?: number };
    throttle?: { limit: string; quota: number; remaining: number; admitted: boolean; local?: boolean };
    signature?: EcsSignature;
    security_event?: string;
  };
}

/** The request signature's evidence: what was signed, by which key, and whether it verified. */
export interface EcsSignature {
  keyid?: string;
  label?: string;
  /** The Signature-Input member. */
  input?: string;
  /** The signature bytes, base64. */
  value?: string;
  /** Content-Digest values checked, base64, by algorithm. */
  digests?: { 'sha-256'?: string; 'sha-512'?: string };
  /** `created` as signed, as an instant. */
  created?: string;
  alg?: string;
  certificate_fingerprint?: string;
  verified: boolean;
}

export const TRANSACTION_EVENT_DATASET = 'lgsp.transactions';

function nanoseconds(ms: number): number {
  return Math.round(ms * 1_000_000);
}

function signatureOf(signature: NonNullable<TransactionRecord['signature']>): EcsSignature {
  const ecs: EcsSignature = { verified: signature.verified };
  if (signature.keyid !== undefined) ecs.keyid = signature.keyid;
  if (signature.label !== undefined) ecs.label = signature.label;
  if (signature.signatureInput !== undefined) ecs.input = signature.signatureInput;
  if (signature.signature !== undefined) ecs.value = signature.signature;
  // The two algorithms RFC 9530 registers as active, by name: any other key is dropped, not copied.
  const sha256 = signature.digests?.['sha-256'];
  const sha512 = signature.digests?.['sha-512'];
  if (sha256 !== undefined || sha512 !== undefined) {
    ecs.digests = {};
    if (sha256 !== undefined) ecs.digests['sha-256'] = sha256;
    if (sha512 !== undefined) ecs.digests['sha-512'] = sha512;
  }
  if (signature.created !== undefined && Number.isFinite(signature.created)) ecs.created = new Date(signature.created * 1000).toISOString();
  if (signature.alg !== undefined) ecs.alg = signature.alg;
  if (signature.certificateFingerprint !== undefined) ecs.certificate_fingerprint = signature.certificateFingerprint;
  return ecs;
}

/**
 * Maps a transaction record to its ECS document, field by field. The record never holds a body, a
 * header map, a token or a secret, and nothing here adds one: unknown record properties are dropped,
 * never copied.
 */
export function ecsDocumentOf(record: TransactionRecord): EcsTransactionDocument {
  const failed = record.status >= 400 || record.errorCode !== undefined;
  const lgsp: EcsTransactionDocument['lgsp'] = {};
  if (record.consumerId !== undefined) lgsp.consumer = { id: record.consumerId };
  if (record.clientId !== undefined) lgsp.client = { id: record.clientId };
  if (record.apiId !== undefined || record.apiDomain !== undefined || record.apiVersion !== undefined) {
    lgsp.api = {};
    if (record.apiId !== undefined) lgsp.api.id = record.apiId;
    if (record.apiDomain !== undefined) lgsp.api.domain = record.apiDomain;
    if (record.apiVersion !== undefined) lgsp.api.version = record.apiVersion;
  }
  if (record.providerId !== undefined) lgsp.provider = { id: record.providerId };
  if (record.routeTemplate !== undefined) lgsp.route = { template: record.routeTemplate };
  if (record.classification !== undefined) lgsp.classification = record.classification;
  if (record.zone !== undefined) lgsp.zone = record.zone;
  if (record.environment !== undefined) lgsp.environment = record.environment;
  if (record.upstreamStartedAt !== undefined || record.upstreamEndedAt !== undefined || record.upstreamDurationMs !== undefined) {
    lgsp.upstream = {};
    if (record.upstreamStartedAt !== undefined) lgsp.upstream.started_at = record.upstreamStartedAt;
    if (record.upstreamEndedAt !== undefined) lgsp.upstream.ended_at = record.upstreamEndedAt;
    if (record.upstreamDurationMs !== undefined) lgsp.upstream.duration = nanoseconds(record.upstreamDurationMs);
  }
  const { throttle } = record;
  if (throttle !== undefined) {
    lgsp.throttle = { limit: throttle.limit, quota: throttle.quota, remaining: throttle.remaining, admitted: throttle.admitted };
    if (throttle.local !== undefined) lgsp.throttle.local = throttle.local;
  }
  if (record.signature !== undefined) lgsp.signature = signatureOf(record.signature);
  if (record.securityEvent !== undefined) lgsp.security_event = record.securityEvent;

  const document: EcsTransactionDocument = {
    '@timestamp': record.receivedAt,
    ecs: { version: ECS_VERSION },
    event: {
      id: record.transactionId,
      // A security event is what the SOC is alerted to: ECS calls that an alert.
      kind: record.securityEvent === undefined ? 'event' : 'alert',
      category: ['web'],
      type: failed ? ['access', 'denied'] : ['access'],
      outcome: failed ? 'failure' : 'success',
      duration: nanoseconds(record.durationMs),
      dataset: TRANSACTION_EVENT_DATASET,
    },
    transaction: { id: record.transactionId },
    client: { ip: record.clientIp, address: record.clientIp },
    http: {
      request: { method: record.method, bytes: record.bytesIn },
      response: { status_code: record.status, bytes: record.bytesOut },
    },
    url: { path: record.path },
    lgsp,
  };
  if (record.requestId !== undefined) document.http.request = { id: record.requestId, ...document.http.request };
  if (record.traceId !== undefined) document.trace = { id: record.traceId };
  if (record.service !== undefined) document.service = { name: record.service };
  if (record.errorCode !== undefined) document.error = { code: record.errorCode };
  return document;
}
