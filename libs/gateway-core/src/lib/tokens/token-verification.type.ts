import type { JWTVerifyGetKey } from 'jose';

/** The published signing keys as a verifier uses them: a key resolver and a way to ask for fresh keys. */
export interface VerificationKeys {
  /** Resolves the key a token names (by kid) against the current key set; throws JWKSNoMatchingKey when unknown. */
  readonly getKey: JWTVerifyGetKey;
  /** Loads the key set again; resolves once a load that started after this call has ended (failed or not). */
  refresh(): Promise<void>;
}

/** Tokens revoked before their expiry. */
export interface RevokedTokens {
  isRevoked(jti: string): boolean;
}

/** What the authenticate policy verifies tokens against. Issuer and audience are both LGSP_PUBLIC_URL. */
export interface TokenVerification {
  readonly keys: VerificationKeys;
  readonly revocations: RevokedTokens;
  readonly issuer: string;
  readonly audience: string;
}
