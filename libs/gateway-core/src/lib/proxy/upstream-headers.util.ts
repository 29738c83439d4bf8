import type { IncomingHttpHeaders } from 'node:http';

import { Header } from '@lgsp/contracts';

// RFC 9110 §7.6.1 hop-by-hop fields (with every Proxy-* field and those the Connection field
// names, below), plus what must never reach a provider: the consumer's credentials (the provider
// learns who calls from X-LGSP-Consumer and the signed X-LGSP-Assertion) and cookies. The
// platform's own X-LGSP-* fields are set by the gateway alone; a consumer's copies are dropped.
const NOT_FORWARDED: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // The gateway answered 100-continue itself before reading the body; undici refuses to send it.
  'expect',
  'host',
  'content-length',
  'authorization',
  'cookie',
  Header.traceparent,
  Header.tracestate,
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'forwarded',
]);

const NOT_RETURNED: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
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

/** Fields the Connection field names are hop-by-hop too (RFC 9110 §7.6.1); the common values name none worth a split. */
function connectionListed(connection: string | string[] | undefined): ReadonlySet<string> | undefined {
  if (connection === undefined) return undefined;
  const value = Array.isArray(connection) ? connection.join(',') : connection;
  if (value === 'keep-alive' || value === 'close' || value === 'Keep-Alive' || value === 'Close') return undefined;
  const names = new Set<string>();
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name.length > 0) names.add(name);
  }
  return names;
}

function isProxyField(name: string): boolean {
  return name.charCodeAt(0) === 112 /* p */ && name.startsWith('proxy-');
}

function isPlatformField(name: string): boolean {
  return name.charCodeAt(0) === 120 /* x */ && name.startsWith('x-lgsp-');
}

export interface ForwardedFacts {
  readonly requestId: string;
  readonly transactionId: string;
  readonly clientIp: string;
  readonly proto: string;
  readonly host: string | undefined;
  /** The consumer system (the token's `sub`). */
  readonly consumerId: string;
  /** The backend JWT naming the consumer, signed by the platform. */
  readonly assertion?: string;
  /** Set when tracing is off; with OpenTelemetry on, the undici instrumentation injects it. */
  readonly traceparent?: string;
}

/** The headers sent to the provider. */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, facts: ForwardedFacts): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(incoming.connection);
  for (const name in incoming) {
    if (NOT_FORWARDED.has(name) || isProxyField(name) || isPlatformField(name) || listed?.has(name) === true) continue;
    const value = incoming[name];
    if (value !== undefined) out[name] = value;
  }
  out[Header.requestId] = facts.requestId;
  out[Header.transactionId] = facts.transactionId;
  out[Header.consumer] = facts.consumerId;
  if (facts.assertion !== undefined) out[Header.assertion] = facts.assertion;
  if (facts.traceparent !== undefined) out[Header.traceparent] = facts.traceparent;
  // One value the gateway vouches for: the client as resolved through LGSP_TRUSTED_PROXIES. A
  // chain the client sent could be forged; the trusted part of it is already folded into clientIp.
  out['x-forwarded-for'] = facts.clientIp;
  out['x-forwarded-proto'] = facts.proto;
  if (facts.host !== undefined) out['x-forwarded-host'] = facts.host;
  return out;
}

/** The provider's response headers the consumer receives. */
export function downstreamResponseHeaders(upstream: Readonly<Record<string, string | string[] | undefined>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(upstream.connection);
  for (const name in upstream) {
    if (NOT_RETURNED.has(name) || isProxyField(name) || listed?.has(name) === true) continue;
    const value = upstream[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
