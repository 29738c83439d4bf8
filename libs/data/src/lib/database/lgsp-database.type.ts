import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

import type * as schema from '../schema';

export type RegistrySchema = typeof schema;

/** The Drizzle database, whichever driver is underneath: callers never care which. */
export type LgspDb = PgDatabase<PgQueryResultHKT, RegistrySchema>;

export type DatabaseKind = 'postgres' | 'pglite';

export interface LgspDatabase {
  readonly db: LgspDb;
  readonly kind: DatabaseKind;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres://… — a PostgreSQL server; otherwise PGlite. */
  readonly url?: string;
  /** PGlite keeps its files under `${dataDir}/registry`. */
  readonly dataDir?: string;
  /** PGlite in memory (tests, throw-away runs). */
  readonly inMemory?: boolean;
  /** Idle pooled connections can fail between queries (a server restart); the next query reports it too. */
  readonly onPoolError?: (error: Error) => void;
  /** PostgreSQL: do not wait for a first connection; queries fail until the server answers (a gateway started during an outage serves its last known good state meanwhile). */
  readonly lazy?: boolean;
}
