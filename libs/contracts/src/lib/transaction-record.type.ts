import type { Environment } from './domain.constant';
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
  upstreamDurationMs?: number;
  clientIp: string;
  method: string;
  /** Path without the query string (query strings may carry personal data). */
  path: string;
  apiVersion?: string;
  apiDomain?: string;
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

/** Security events the SOC is alerted to; extend here. */
export type SecurityEvent =
  | 'authentication-failure-burst'
  | 'authentication-locked-out'
  | 'token-revoked-use'
  /** The shared throttle store (Redis) became unreachable: replicas decide alone at their share of the limit. */
  | 'throttle-degraded'
  | 'throttle-recovered';
