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
    api?: { domain?: string; version?: string };
    environment?: string;
    upstream?: { started_at?: string; duration?: number };
    security_event?: string;
  };
}

export const TRANSACTION_EVENT_DATASET = 'lgsp.transactions';

function nanoseconds(ms: number): number {
  return Math.round(ms * 1_000_000);
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
  if (record.apiDomain !== undefined || record.apiVersion !== undefined) {
    lgsp.api = {};
    if (record.apiDomain !== undefined) lgsp.api.domain = record.apiDomain;
    if (record.apiVersion !== undefined) lgsp.api.version = record.apiVersion;
  }
  if (record.environment !== undefined) lgsp.environment = record.environment;
  if (record.upstreamStartedAt !== undefined || record.upstreamDurationMs !== undefined) {
    lgsp.upstream = {};
    if (record.upstreamStartedAt !== undefined) lgsp.upstream.started_at = record.upstreamStartedAt;
    if (record.upstreamDurationMs !== undefined) lgsp.upstream.duration = nanoseconds(record.upstreamDurationMs);
  }
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
  if (record.errorCode !== undefined) document.error = { code: record.errorCode };
  return document;
}
