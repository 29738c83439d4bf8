import { ENVIRONMENTS } from '@lgsp/contracts';
import type { AccessTokenClaims, Environment, LgspError } from '@lgsp/contracts';
import type { JWTPayload } from 'jose';

import { TokenRefusal, claimRefusal } from './token-refusal.constant';

/** Claims jose checks for presence; their types are checked here. */
export const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'client_id', 'jti', 'scope'] as const;

const STRING_CLAIMS = ['sub', 'client_id', 'jti', 'scope'] as const;

export function isEnvironment(value: unknown): value is Environment {
  return value === ENVIRONMENTS[0] || value === ENVIRONMENTS[1];
}

/** A consumer's access token with its environment known. */
export interface ConsumerTokenClaims extends AccessTokenClaims {
  readonly env: Environment;
}

/**
 * What jose leaves to us once signature, issuer, audience, typ, exp and nbf hold: the LGSP claims.
 * Admin clients' tokens (they carry `roles`) act on the platform, never on provider data.
 */
export function consumerClaimsOf(payload: JWTPayload, nowSeconds: number, toleranceSeconds: number): ConsumerTokenClaims | LgspError {
  if (payload['roles'] !== undefined) return TokenRefusal.adminToken;
  for (const claim of STRING_CLAIMS) {
    const value = payload[claim];
    if (typeof value !== 'string' || value.length === 0) return claimRefusal(claim);
  }
  if (!isEnvironment(payload['env'])) return TokenRefusal.environment;
  if (typeof payload.exp !== 'number') return claimRefusal('exp');
  if (typeof payload.iat !== 'number') return claimRefusal('iat');
  // jose checks iat against the clock only together with a maximum token age; a token minted in
  // the future is as suspect as one with nbf in the future.
  if (payload.iat > nowSeconds + toleranceSeconds) return TokenRefusal.notYetValid;
  return payload as unknown as ConsumerTokenClaims;
}
