import { gt } from 'drizzle-orm';

import type { LgspDb } from '../database/lgsp-database.type';
import { iamRevokedTokens, iamSigningKeys } from '../schema';

/** A JSON Web Key Set (RFC 7517) of public keys. */
export interface PublishedJwks {
  readonly keys: readonly Readonly<Record<string, unknown>>[];
}

/**
 * The public signing keys a verifier must know now: every key not yet past its last token's expiry,
 * including a next key published ahead of signing. Reads public halves only; no decryption key needed.
 */
export async function loadPublishedJwks(db: LgspDb, now: Date = new Date()): Promise<PublishedJwks> {
  const rows = await db
    .select({ kid: iamSigningKeys.kid, alg: iamSigningKeys.alg, publicJwk: iamSigningKeys.publicJwk })
    .from(iamSigningKeys)
    .where(gt(iamSigningKeys.expiresAt, now))
    .orderBy(iamSigningKeys.activatesAt);
  return { keys: rows.map((r) => ({ ...r.publicJwk, kid: r.kid, alg: r.alg, use: 'sig' })) };
}

export interface ActiveRevocation {
  readonly jti: string;
  /** Seconds since the epoch: the token's own expiry, after which the entry is moot. */
  readonly exp: number;
}

/** Revoked tokens that have not expired yet: what a gateway must refuse besides what it verifies. */
export async function loadActiveRevocations(db: LgspDb, now: Date = new Date()): Promise<ActiveRevocation[]> {
  const rows = await db
    .select({ jti: iamRevokedTokens.jti, expiresAt: iamRevokedTokens.expiresAt })
    .from(iamRevokedTokens)
    .where(gt(iamRevokedTokens.expiresAt, now));
  return rows.map((r) => ({ jti: r.jti, exp: Math.floor(r.expiresAt.getTime() / 1000) }));
}
