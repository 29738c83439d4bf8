import { createTestDatabase } from '@lgsp/testing';
import { sql } from 'drizzle-orm';

import { type DatabaseKind, type LgspDatabase, migrateDatabase, openDatabase } from '../src';

/** Every data-layer spec runs on both: `describe.each(DATABASE_KINDS)`. */
export const DATABASE_KINDS: readonly DatabaseKind[] = ['pglite', 'postgres'];

/** PGlite starts a WebAssembly PostgreSQL; give set-up more than Jest's 5 s. */
export const SETUP_TIMEOUT_MS = 60_000;

export const REGISTRY_TABLES = [
  'admin_clients',
  'api_versions',
  'apis',
  'certificates',
  'consumer_systems',
  'credentials',
  'rate_limits',
  'subscriptions',
] as const;

/** Registry tables of the DGO's workflow, which the declarative file never writes. */
export const WORKFLOW_TABLES = ['audit_log', 'blocks', 'notifications', 'registrations'] as const;

/** Tables the declarative file never writes, emptied between tests too. */
export const IAM_TABLES = ['iam_revoked_tokens', 'iam_signing_keys'] as const;
export const LEDGER_TABLES = ['ledger_heads', 'ledger_outbox', 'ledger_outbox_partitions', 'ledger_transactions'] as const;

export interface TestLgspDatabase {
  readonly database: LgspDatabase;
  /** postgres://… of the test database (postgres kind only). */
  readonly url?: string;
  /** Empties every registry table, between tests. */
  truncate(): Promise<void>;
  /** Closes the database and drops it (postgres kind). */
  close(): Promise<void>;
}

/** One migrated database per spec file and kind: a fresh in-memory PGlite, or a new PostgreSQL database. */
export async function openTestDatabase(
  kind: DatabaseKind,
  options: { migrate?: boolean } = {},
): Promise<TestLgspDatabase> {
  const server = kind === 'postgres' ? await createTestDatabase() : undefined;
  let database: LgspDatabase;
  try {
    database = await openDatabase(server ? { url: server.url } : { inMemory: true });
  } catch (error) {
    await server?.drop();
    throw error;
  }
  if (options.migrate !== false) await migrateDatabase(database);
  return {
    database,
    url: server?.url,
    async truncate() {
      await database.db.execute(sql.raw(`truncate table ${[...REGISTRY_TABLES, ...WORKFLOW_TABLES, ...IAM_TABLES, ...LEDGER_TABLES].join(", ")} cascade`));
    },
    async close() {
      await database.close();
      await server?.drop();
    },
  };
}

/**
 * Every row of every registry table as PostgreSQL renders it (to_jsonb: timestamps to the
 * microsecond), in a stable order: two dumps are equal only when nothing was written.
 */
export async function dumpRegistry(database: LgspDatabase): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const table of REGISTRY_TABLES) {
    const result = await database.db.execute(sql.raw(`select to_jsonb(t)::text as row from ${table} t order by 1`));
    dump[table] = rowsOf<{ row: string }>(result).map((r) => JSON.parse(r.row));
  }
  return dump;
}

/** node-postgres and PGlite both answer raw queries with `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
