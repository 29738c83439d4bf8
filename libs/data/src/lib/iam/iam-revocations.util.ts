import { and, eq, gt } from 'drizzle-orm';

import type { LgspDb } from '../database/lgsp-database.type';
import { iamRevokedTokens } from '../schema';

export interface RevokedTokenEntry {
  readonly jti: string;
  /** The client the token was issued to. */
  readonly clientId: string;
  /** The token's own expiry. */
  readonly expiresAt: Date;
}

/** Records a revocation; revoking a token twice keeps the first entry. True when this call added it. */
export async function insertRevokedToken(db: LgspDb, entry: RevokedTokenEntry): Promise<boolean> {
  const rows = await db
    .insert(iamRevokedTokens)
    .values({ jti: entry.jti, clientId: entry.clientId, expiresAt: entry.expiresAt })
    .onConflictDoNothing({ target: iamRevokedTokens.jti })
    .returning({ jti: iamRevokedTokens.jti });
  return rows.length === 1;
}

export async function isTokenRevoked(db: LgspDb, jti: string, now: Date): Promise<boolean> {
  const rows = await db
    .select({ jti: iamRevokedTokens.jti })
    .from(iamRevokedTokens)
    .where(and(eq(iamRevokedTokens.jti, jti), gt(iamRevokedTokens.expiresAt, now)))
    .limit(1);
  return rows.length === 1;
}
