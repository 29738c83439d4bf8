import type { AdminRole, Environment } from '@lgsp/contracts';
import { and, eq, sql } from 'drizzle-orm';

import type { LgspDb } from '../database/lgsp-database.type';
import { adminClients, consumerSystems, credentials } from '../schema';

/** Serialises first-admin bootstraps, so two at once cannot both create one. 'LGSP' + 3. */
const ADMIN_BOOTSTRAP_LOCK_KEY = 0x4c475353;

export interface NewCredential {
  readonly clientId: string;
  readonly consumerId: string;
  readonly environment: Environment;
  readonly secretHash: string;
  readonly tokenTtlSeconds?: number;
}

export type InsertCredentialResult = { readonly inserted: true } | { readonly inserted: false; readonly reason: 'consumer-unknown' | 'client-id-taken' };

/** Inserts a credential unless its consumer system is unknown or its client id is used by a credential or an admin client. */
export async function insertCredential(db: LgspDb, credential: NewCredential): Promise<InsertCredentialResult> {
  return db.transaction(async (tx) => {
    const [consumer] = await tx.select({ id: consumerSystems.id }).from(consumerSystems).where(eq(consumerSystems.id, credential.consumerId)).limit(1);
    if (consumer === undefined) return { inserted: false, reason: 'consumer-unknown' } as const;
    const [admin] = await tx.select({ id: adminClients.clientId }).from(adminClients).where(eq(adminClients.clientId, credential.clientId)).limit(1);
    if (admin !== undefined) return { inserted: false, reason: 'client-id-taken' } as const;
    const rows = await tx
      .insert(credentials)
      .values({
        clientId: credential.clientId,
        consumerId: credential.consumerId,
        environment: credential.environment,
        secretHash: credential.secretHash,
        tokenTtlSeconds: credential.tokenTtlSeconds ?? null,
      })
      .onConflictDoNothing({ target: credentials.clientId })
      .returning({ clientId: credentials.clientId });
    return rows.length === 1 ? ({ inserted: true } as const) : ({ inserted: false, reason: 'client-id-taken' } as const);
  });
}

/**
 * Makes `secretHash` the credential's secret and keeps the one it replaces valid until
 * `previousSecretExpiresAt`. Only an active credential rotates; false when there is none.
 */
export async function rotateCredentialSecret(
  db: LgspDb,
  clientId: string,
  secretHash: string,
  previousSecretExpiresAt: Date,
): Promise<boolean> {
  const rows = await db
    .update(credentials)
    .set({
      previousSecretHash: sql`${credentials.secretHash}`,
      previousSecretExpiresAt,
      secretHash,
      updatedAt: sql`now()`,
    })
    .where(and(eq(credentials.clientId, clientId), eq(credentials.status, 'active')))
    .returning({ clientId: credentials.clientId });
  return rows.length === 1;
}

export interface NewAdminClient {
  readonly clientId: string;
  readonly name?: string;
  readonly roles: readonly AdminRole[];
  readonly secretHash: string;
}

export type FirstAdminClientResult =
  | { readonly created: true }
  | { readonly created: false; readonly reason: 'admin-exists'; readonly existing: readonly string[] }
  | { readonly created: false; readonly reason: 'client-id-taken' };

/** Creates the admin client only when no admin client exists at all (whatever its status). */
export async function createFirstAdminClient(db: LgspDb, admin: NewAdminClient): Promise<FirstAdminClientResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ADMIN_BOOTSTRAP_LOCK_KEY})`);
    const existing = await tx.select({ clientId: adminClients.clientId }).from(adminClients).orderBy(adminClients.clientId).limit(5);
    if (existing.length > 0) return { created: false, reason: 'admin-exists', existing: existing.map((row) => row.clientId) } as const;
    const [credential] = await tx.select({ id: credentials.clientId }).from(credentials).where(eq(credentials.clientId, admin.clientId)).limit(1);
    if (credential !== undefined) return { created: false, reason: 'client-id-taken' } as const;
    await tx.insert(adminClients).values({ clientId: admin.clientId, name: admin.name ?? null, roles: [...admin.roles], secretHash: admin.secretHash });
    return { created: true } as const;
  });
}
