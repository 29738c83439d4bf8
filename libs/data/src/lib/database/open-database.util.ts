import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { Pool } from 'pg';

import * as schema from '../schema';
import type { LgspDatabase, OpenDatabaseOptions } from './lgsp-database.type';

/** The driver behind each opened database, for the migrator; callers only ever see LgspDatabase. */
export type DatabaseDriver =
  | { readonly kind: 'postgres'; readonly pool: Pool }
  | { readonly kind: 'pglite'; readonly client: PGlite };

const drivers = new WeakMap<LgspDatabase, DatabaseDriver>();

export function databaseDriver(database: LgspDatabase): DatabaseDriver {
  const driver = drivers.get(database);
  if (!driver) throw new Error('Not a database opened by openDatabase()');
  return driver;
}

/** PostgreSQL when a url is given; otherwise PGlite, file-backed under the data dir or in memory. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<LgspDatabase> {
  if (options.url) return openPostgres(options.url, options.onPoolError, options.lazy);
  if (options.inMemory) return openPglite(new PGlite());
  if (options.dataDir) {
    const dataDir = join(options.dataDir, 'registry');
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    return openPglite(new PGlite(dataDir));
  }
  throw new Error('openDatabase needs a url, a dataDir or inMemory');
}

async function openPostgres(url: string, onPoolError?: (error: Error) => void, lazy = false): Promise<LgspDatabase> {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('The database url must start with postgres:// or postgresql://');
  }
  const pool = new Pool({ connectionString: url });
  const onError = onPoolError ?? (() => undefined);
  pool.on('error', onError);
  // The pool listens for errors of idle connections only: one lost while checked out (inside a
  // transaction) would raise an unhandled 'error' and end the process. The query in flight fails
  // anyway, and the pool drops the connection when it comes back.
  pool.on('connect', (client) => client.on('error', onError));
  try {
    if (!lazy) (await pool.connect()).release();
  } catch (error) {
    await pool.end();
    throw error;
  }
  let closed = false;
  const database: LgspDatabase = {
    db: drizzleNodePg({ client: pool, schema }),
    kind: 'postgres',
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  drivers.set(database, { kind: 'postgres', pool });
  return database;
}

async function openPglite(client: PGlite): Promise<LgspDatabase> {
  await client.waitReady;
  const database: LgspDatabase = {
    db: drizzlePglite({ client, schema }),
    kind: 'pglite',
    async close() {
      if (!client.closed) await client.close();
    },
  };
  drivers.set(database, { kind: 'pglite', client });
  return database;
}
