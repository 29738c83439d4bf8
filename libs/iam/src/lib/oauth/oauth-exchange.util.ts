import type { Environment, ErrorCode, OAuthErrorCode, SecurityEvent } from '@lgsp/contracts';

import type { OAuthFailureReason } from './oauth.error';

export type OAuthEndpoint = 'token' | 'revoke' | 'introspect';

/**
 * What one request to an OAuth endpoint did, filled in as it goes and turned into its ledger record
 * and log line when the response has left. Identifiers and outcomes only.
 */
export interface OAuthExchange {
  readonly endpoint: OAuthEndpoint;
  readonly receivedAt: Date;
  /** The authenticated client; on a security event, the client id the failures were aimed at. */
  clientId?: string;
  consumerId?: string;
  environment?: Environment;
  errorCode?: OAuthErrorCode | ErrorCode;
  reason?: OAuthFailureReason | 'not-owner' | 'token-unverified';
  securityEvent?: SecurityEvent;
}

const exchanges = new WeakMap<object, OAuthExchange>();

/** Keyed by Node's request object, which Fastify hooks and Nest handlers share. */
export function startExchange(raw: object, endpoint: OAuthEndpoint, receivedAt: Date): OAuthExchange {
  const exchange: OAuthExchange = { endpoint, receivedAt };
  exchanges.set(raw, exchange);
  return exchange;
}

export function exchangeOf(raw: object): OAuthExchange | undefined {
  return exchanges.get(raw);
}
