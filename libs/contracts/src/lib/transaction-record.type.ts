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
}

/** Security events the SOC is alerted to; extend here. */
export type SecurityEvent =
  | 'authentication-failure-burst'
  | 'authentication-locked-out'
  | 'token-revoked-use'
  /** The shared throttle store (Redis) became unreachable: replicas decide alone at their share of the limit. */
  | 'throttle-degraded'
  | 'throttle-recovered';
