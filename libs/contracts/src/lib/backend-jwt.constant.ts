import type { Environment } from './domain.constant';

/**
 * The backend JWT: what the gateway tells a provider about who calls, signed by the platform (as
 * WSO2's backend JWT does), in the X-LGSP-Assertion header of every forwarded request. Providers
 * verify it against the keys published at BACKEND_JWKS_PATH on the public listener.
 */
export const BACKEND_JWT_TYP = 'lgsp-backend+jwt';
export const BACKEND_JWT_ALG = 'ES256';
export const BACKEND_JWKS_PATH = '/.well-known/lgsp-backend-jwks';
/** Seconds a backend JWT is valid; the gateway reuses one for at most half of it. */
export const BACKEND_JWT_TTL_SECONDS = 60;

export interface BackendJwtClaims {
  /** LGSP_PUBLIC_URL. */
  readonly iss: string;
  /** The provider's upstream origin (scheme://host:port) the call is forwarded to. */
  readonly aud: string;
  /** The consumer system id (the access token's `sub`). */
  readonly sub: string;
  /** The credential the consumer system used (the access token's `client_id`). */
  readonly client_id: string;
  readonly env: Environment;
  /** Unique per signed JWT (one JWT serves many calls: the call's ids are in X-Request-ID and X-LGSP-Transaction-ID). */
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}
