import type { IncomingHttpHeaders } from 'node:http';

import { Header } from '@lgsp/contracts';

// RFC 9110 §7.6.1 hop-by-hop fields, plus what must never reach a provider: the consumer's
// credentials (the provider learns who calls from X-LGSP-Consumer) and cookies.
const NOT_FORWARDED: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'authorization',
  'cookie',
  Header.traceparent,
  Header.tracestate,
  Header.transactionId,
  Header.consumer,
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'forwarded',
]);

const NOT_RETURNED: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  Header.requestId,
  Header.transactionId,
  // The platform's own limits are the consumer's; a provider's would contradict them.
  Header.rateLimit,
  Header.rateLimitPolicy,
]);

export interface ForwardedFacts {
  readonly requestId: string;
  readonly transactionId: string;
  readonly clientIp: string;
  readonly proto: string;
  readonly host: string | undefined;
  /** Set when tracing is off; with OpenTelemetry on, the undici instrumentation injects it. */
  readonly traceparent?: string;
}

/** The headers sent to the provider. */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, facts: ForwardedFacts): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in incoming) {
    if (NOT_FORWARDED.has(name)) continue;
    const value = incoming[name];
    if (value !== undefined) out[name] = value;
  }
  out[Header.requestId] = facts.requestId;
  out[Header.transactionId] = facts.transactionId;
  if (facts.traceparent !== undefined) out[Header.traceparent] = facts.traceparent;
  const prior = incoming['x-forwarded-for'];
  out['x-forwarded-for'] = prior === undefined ? facts.clientIp : `${String(prior)}, ${facts.clientIp}`;
  out['x-forwarded-proto'] = facts.proto;
  if (facts.host !== undefined) out['x-forwarded-host'] = facts.host;
  return out;
}

/** The provider's response headers the consumer receives. */
export function downstreamResponseHeaders(upstream: Readonly<Record<string, string | string[] | undefined>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    if (NOT_RETURNED.has(name)) continue;
    const value = upstream[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
