import { OAuthErrorCode } from '@lgsp/contracts';

import { OAUTH_REALM } from '../iam.constant';

/** How a client tried to authenticate: the WWW-Authenticate challenge of an invalid_client answer names it. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/** Why an authentication or request failed, for the log line only (never sent to the client). */
export type OAuthFailureReason =
  | 'malformed-request'
  | 'no-credentials'
  | 'malformed-credentials'
  | 'unknown-client'
  | 'secret-mismatch'
  | 'credential-revoked'
  | 'consumer-inactive'
  | 'method-not-allowed'
  | 'assertion-invalid'
  | 'certificate-unknown'
  | 'certificate-inactive'
  | 'assertion-replayed'
  | 'locked-out'
  | 'grant-type'
  | 'scope';

export function challengeFor(method: ClientAuthMethod): string {
  return method === 'none' || method === 'client_secret_basic' ? `Basic realm="${OAUTH_REALM}"` : `${method} realm="${OAUTH_REALM}"`;
}

/**
 * A refusal of an OAuth endpoint: RFC 6749 §5.2 error JSON with its status. The description is
 * safe to send; the reason goes to the log line only.
 */
export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly status: number = code === OAuthErrorCode.InvalidClient ? 401 : 400,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly reason?: OAuthFailureReason,
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  static invalidRequest(description: string, status = 400): OAuthError {
    return new OAuthError(OAuthErrorCode.InvalidRequest, description, status, {}, 'malformed-request');
  }

  /** 401 with the challenge of the method the client used (RFC 6749 §5.2). */
  static invalidClient(description: string, method: ClientAuthMethod, reason: OAuthFailureReason): OAuthError {
    return new OAuthError(OAuthErrorCode.InvalidClient, description, 401, { 'www-authenticate': challengeFor(method) }, reason);
  }
}
