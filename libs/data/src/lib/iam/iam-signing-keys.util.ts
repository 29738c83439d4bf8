import { asc, eq, gt, sql } from 'drizzle-orm';

import type { LgspDb } from '../database/lgsp-database.type';
import { iamSigningKeys } from '../schema';

/** Serialises signing-key maintenance across IAM replicas. 'LGSP' + 2. */
const SIGNING_KEY_LOCK_KEY = 0x4c475352;

export interface SigningKeyRecord {
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: Readonly<Record<string, unknown>>;
  readonly privateKeyCiphertext: string;
  readonly activatesAt: Date;
  readonly retiresAt: Date;
  readonly expiresAt: Date;
}

const COLUMNS = {
  kid: iamSigningKeys.kid,
  alg: iamSigningKeys.alg,
  publicJwk: iamSigningKeys.publicJwk,
  privateKeyCiphertext: iamSigningKeys.privateKeyCiphertext,
  activatesAt: iamSigningKeys.activatesAt,
  retiresAt: iamSigningKeys.retiresAt,
  expiresAt: iamSigningKeys.expiresAt,
};

/** Every key still published at `now` (not past its last token's expiry), oldest activation first. */
export async function listLiveSigningKeys(db: LgspDb, now: Date): Promise<SigningKeyRecord[]> {
  return db.select(COLUMNS).from(iamSigningKeys).where(gt(iamSigningKeys.expiresAt, now)).orderBy(asc(iamSigningKeys.activatesAt), asc(iamSigningKeys.kid));
}

/**
 * Runs `work` in a transaction holding the signing-key advisory lock, so replicas that maintain the
 * keys at the same moment take turns and the second sees what the first created.
 */
export async function withSigningKeyLock<T>(db: LgspDb, work: (tx: LgspDb) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SIGNING_KEY_LOCK_KEY})`);
    return work(tx);
  });
}

export async function insertSigningKey(db: LgspDb, key: SigningKeyRecord): Promise<void> {
  await db.insert(iamSigningKeys).values({ ...key, publicJwk: { ...key.publicJwk } });
}

/** Moves a key's end of signing (and so of publication) later: used when its successor comes late. */
export async function extendSigningKey(db: LgspDb, kid: string, retiresAt: Date, expiresAt: Date): Promise<void> {
  await db.update(iamSigningKeys).set({ retiresAt, expiresAt }).where(eq(iamSigningKeys.kid, kid));
}
