import type { Classification, Environment } from './domain.constant';
import type { ErrorCode } from './error-code.constant';
import type { OAuthErrorCode } from './oauth.constant';

/**
 * One transaction through the gateway, as handed to the ledger. ECS-style names are applied when it
 * is indexed. It never holds a body, an Authorization header, a token, a secret or a password: only
 * identifiers, sizes, times and outcomes.
 */
export interface TransactionRecord {
  /** The platform's transaction id (UUID v7): the ledger document id. */
  transactionId: string;
  /** The consumer's X-Request-ID, when it sent a well-formed one. */
  requestId?: string;
  traceId?: string;
  /** ISO-8601 time the request was received. */
  receivedAt: string;
  /** Milliseconds from receipt to the end of the response. */
  durationMs: number;
  upstreamStartedAt?: string;
  /** ISO-8601 time the upstream's answer was complete (or the attempt ended). */
  upstreamEndedAt?: string;
  upstreamDurationMs?: number;
  /** The client address as resolved through LGSP_TRUSTED_PROXIES (not the balancer's). */
  clientIp: string;
  /** The network zone the client address falls in: `party-wan` (LGSP_WAN_CIDRS) or `internet`. */
  zone?: NetworkZone;
  /** Which platform service recorded it. */
  service?: 'gateway' | 'iam';
  method: string;
  /** Path without the query string (query strings may carry personal data). */
  path: string;
  apiVersion?: string;
  apiDomain?: string;
  /** The providing unit (the API's `provider`, an organisation id). */
  providerId?: string;
  /** The registry's id of the API version called (api_versions.id: names the API and its version; the gateway's snapshot has no other). */
  apiId?: string;
  /** The matched operation's path template from the provider's document: `/persons/{id}`. */
  routeTemplate?: string;
  /** The matched operation's classification. */
  classification?: Classification;
  environment?: Environment;
  consumerId?: string;
  clientId?: string;
  status: number;
  /** The contract code of a refusal; the RFC 6749 error on the OAuth endpoints. */
  errorCode?: ErrorCode | OAuthErrorCode;
  bytesIn: number;
  bytesOut: number;
  /** Set when the transaction is also a security event for the SOC (an authentication burst, ...). */
  securityEvent?: SecurityEvent;
  /** The throttle's decision, when the request reached the throttle. */
  throttle?: TransactionThrottle;
  /** The evidence of the request's X-Signature, verified or refused (never the payload nor the signature base). */
  signature?: TransactionSignature;
}

/** What the ledger keeps of a request signature: enough to show later who signed what (docs/signatures.md §9). */
export interface TransactionSignature {
  /** The RFC 9421 keyid: the registered certificate's id. */
  keyid?: string;
  label?: string;
  /** The Signature-Input member: `sig1=("@method" ...);created=...;keyid="..."`. */
  signatureInput?: string;
  /** The signature bytes, base64. */
  signature?: string;
  /** The Content-Digest values checked, base64 per algorithm. */
  digests?: Readonly<Record<string, string>>;
  /** `created` as signed, UNIX seconds. */
  created?: number;
  alg?: string;
  /** SHA-256 fingerprint of the signing certificate. */
  certificateFingerprint?: string;
  /** Whether the gateway accepted it; a refusal's code is the record's errorCode. */
  verified: boolean;
}

export type NetworkZone = 'party-wan' | 'internet';

/** What the throttle decided for this request. */
export interface TransactionThrottle {
  /** The named limit: `read` or `write`. */
  limit: 'read' | 'write';
  /** The budget's size per window. */
  quota: number;
  /** Requests left in the window after this one. */
  remaining: number;
  admitted: boolean;
  /** Decided by this replica alone while the shared store (Redis) was unreachable. */
  local?: boolean;
}

/**
 * Security events the SOC is alerted to (flagged in the record, forwarded to LGSP_SYSLOG_URL); extend
 * here. Listed most severe first: a record carries one event, so when several apply the first of this
 * list wins — replay-detected, authentication-locked-out, token-revoked-use,
 * suspended-consumer-attempt, signature-failure, authentication-failure-burst,
 * authentication-failure, throttle-burst, classified-access, throttle-degraded, throttle-recovered.
 * (A classified call refused for a forged signature is a signature-failure; the record's
 * classification still shows what it aimed at.) Outage events raised outside a request wait for the
 * next record that carries none of its own.
 */
export const SECURITY_EVENTS = [
  /** A signed request's X-Request-ID seen before. */
  'replay-detected',
  'authentication-locked-out',
  'token-revoked-use',
  /** A suspended, terminated or unregistered consumer system tried to call (consumer_suspended). */
  'suspended-consumer-attempt',
  /** A request signature refused (invalid, digest mismatch, unknown key, expired or revoked certificate, stale, missing). */
  'signature-failure',
  'authentication-failure-burst',
  /** A refused token or client credential (one request). */
  'authentication-failure',
  /** The first refusal of a consumer's budget after its last admission: the start of a throttling burst. */
  'throttle-burst',
  /** Every access to an operation classified Mật, Tối mật (or Tuyệt mật, always refused), served or refused. */
  'classified-access',
  /** The shared throttle store (Redis) became unreachable: replicas decide alone at their share of the limit. */
  'throttle-degraded',
  'throttle-recovered',
] as const;

/** Security events the SOC is alerted to; extend SECURITY_EVENTS. */
export type SecurityEvent = (typeof SECURITY_EVENTS)[number];

