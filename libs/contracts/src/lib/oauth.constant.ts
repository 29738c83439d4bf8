import type { AdminRole, Environment } from './domain.constant';

/** The authorization server's paths on the public listener (CONTRACT.md). */
export const OAuthPath = {
  token: '/oauth2/token',
  jwks: '/oauth2/jwks',
  revoke: '/oauth2/revoke',
  introspect: '/oauth2/introspect',
  metadata: '/.well-known/oauth-authorization-server',
  openidConfiguration: '/.well-known/openid-configuration',
} as const;

/** RFC 6749 §5.2 (and RFC 6750 §3.1 for invalid_token): the `error` of an OAuth error response. */
export enum OAuthErrorCode {
  InvalidRequest = 'invalid_request',
  InvalidClient = 'invalid_client',
  InvalidGrant = 'invalid_grant',
  UnauthorizedClient = 'unauthorized_client',
  UnsupportedGrantType = 'unsupported_grant_type',
  InvalidScope = 'invalid_scope',
  InvalidToken = 'invalid_token',
}

/** RFC 9068 access tokens: JWS header `typ`, and the one algorithm the platform signs with. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
export const ACCESS_TOKEN_ALG = 'ES256';

/** The claims of an LGSP access token (RFC 9068 plus `env` and, for admin clients, `roles`). */
export interface AccessTokenClaims {
  readonly iss: string;
  /** The consumer system id (admin clients: the client id). */
  readonly sub: string;
  readonly aud: string;
  readonly client_id: string;
  /** Space-separated scope tokens: `{domain}:{version}` per subscribed API version; `admin` for admin clients. */
  readonly scope: string;
  /** The credential's environment; consumer tokens only (admin clients act on the platform, not on an environment). */
  readonly env?: Environment;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  /** Admin clients only. */
  readonly roles?: readonly AdminRole[];
}

export const ADMIN_SCOPE = 'admin';

/** One scope token per API version: `directory:v1`. */
export function scopeOf(domain: string, version: string): string {
  return `${domain}:${version}`;
}
