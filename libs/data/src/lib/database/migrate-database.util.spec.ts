import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createTestDatabase, type TestDatabase } from '@lgsp/testing';
import { sql } from 'drizzle-orm';

import {
  DATABASE_KINDS,
  IAM_TABLES,
  LEDGER_TABLES,
  REGISTRY_TABLES,
  WORKFLOW_TABLES,
  rowsOf,
  SETUP_TIMEOUT_MS,
  type TestLgspDatabase,
  openTestDatabase,
} from '../../../test/test-database.util';
import { apis, apiVersions, auditLog, consumerSystems, rateLimits } from '../schema';
import { MIGRATIONS_FOLDER, migrateDatabase } from './migrate-database.util';
import { openDatabase } from './open-database.util';

describe.each(DATABASE_KINDS)('migrateDatabase on %s', (kind) => {
  let test: TestLgspDatabase;

  beforeAll(async () => {
    test = await openTestDatabase(kind, { migrate: false });
  }, SETUP_TIMEOUT_MS);
  afterAll(() => test?.close());

  async function tableNames(): Promise<string[]> {
    const result = await test.database.db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    return rowsOf<{ table_name: string }>(result).map((r) => r.table_name);
  }

  async function appliedMigrations(): Promise<number> {
    const result = await test.database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    return rowsOf<{ n: number }>(result)[0].n;
  }

  it('creates every registry table, and a second run is a no-op', async () => {
    expect(test.database.kind).toBe(kind);
    await migrateDatabase(test.database);
    expect(await tableNames()).toEqual([...REGISTRY_TABLES, ...WORKFLOW_TABLES, ...IAM_TABLES, ...LEDGER_TABLES].sort());
    const applied = await appliedMigrations();
    expect(applied).toBeGreaterThan(0);

    await migrateDatabase(test.database);
    expect(await tableNames()).toEqual([...REGISTRY_TABLES, ...WORKFLOW_TABLES, ...IAM_TABLES, ...LEDGER_TABLES].sort());
    expect(await appliedMigrations()).toBe(applied);
  });

  it('enforces the constraints of the registry', async () => {
    const { db } = test.database;
    const [api] = await db.insert(apis).values({ domain: 'documents' }).returning();
    const version = {
      apiId: api.id,
      version: 'v1',
      classification: 'noi-bo',
      upstreamSandbox: 'http://127.0.0.1:9100',
      upstreamProduction: 'http://127.0.0.1:9100',
      openapi: { openapi: '3.0.3', paths: {} },
      openapiSha256: 'x',
    } as const;
    await db.insert(apiVersions).values(version);
    await expect(
      db.insert(apiVersions).values({ ...version, version: 'v2', classification: 'tuyet-mat' as 'mat' }),
    ).rejects.toThrow();
    await expect(db.insert(apiVersions).values(version)).rejects.toThrow();

    await db.insert(consumerSystems).values({ id: 'tu-ha-noi.qlcb', name: 'QLCB' });
    await expect(
      db.insert(consumerSystems).values({ id: 'x', name: 'x', status: 'gone' as 'active' }),
    ).rejects.toThrow();
    await db.insert(rateLimits).values({ consumerId: 'tu-ha-noi.qlcb', readPerMinute: 10, writePerMinute: 5 });
    // NULLS NOT DISTINCT: one default (api_version_id null) per consumer.
    await expect(
      db.insert(rateLimits).values({ consumerId: 'tu-ha-noi.qlcb', readPerMinute: 20, writePerMinute: 5 }),
    ).rejects.toThrow();
    await expect(
      db
        .insert(rateLimits)
        .values({ consumerId: 'tu-ha-noi.qlcb', apiVersionId: null, readPerMinute: 0, writePerMinute: 5 }),
    ).rejects.toThrow();
  });

  it('keeps the audit log append-only: rows are added, never changed or removed', async () => {
    const { db } = test.database;
    const entry = { at: new Date(), actor: 'dgo-admin', actorRoles: ['dgo-admin'], action: 'consumer.suspend', targetType: 'consumer', targetId: 'x' };
    const [row] = await db.insert(auditLog).values(entry).returning();
    const appendOnly = { cause: expect.objectContaining({ message: expect.stringMatching(/audit_log is append-only/) }) };
    await expect(db.update(auditLog).set({ actor: 'someone-else' })).rejects.toMatchObject(appendOnly);
    await expect(db.delete(auditLog)).rejects.toMatchObject(appendOnly);
    const rows = await db.select().from(auditLog);
    expect(rows).toEqual([row]);
  });

  it('refuses an API version without a description of its kind, and a kill switch without its target', async () => {
    const { db } = test.database;
    const [api] = await db.insert(apis).values({ domain: 'soap-registry' }).returning();
    const base = { apiId: api.id, classification: 'noi-bo', upstreamSandbox: 'http://127.0.0.1:9', upstreamProduction: 'http://127.0.0.1:9' } as const;
    await expect(db.insert(apiVersions).values({ ...base, version: 'v1', kind: 'soap' })).rejects.toThrow();
    await expect(db.insert(apiVersions).values({ ...base, version: 'v1', kind: 'rest' })).rejects.toThrow();
    await db.insert(apiVersions).values({ ...base, version: 'v1', kind: 'soap', wsdlUrl: 'http://127.0.0.1:9/?wsdl', soapReadActions: ['GetPerson'] });
    await expect(
      db.execute(sql`insert into blocks (scope, reason, starts_at, created_by) values ('provider', 'x', now(), 'dgo')`),
    ).rejects.toThrow();
  });
});

describe('migrateDatabase on PostgreSQL replicas starting together', () => {
  let server: TestDatabase;

  beforeAll(async () => {
    server = await createTestDatabase();
  });
  afterAll(() => server?.drop());

  it('applies each migration once', async () => {
    const replicas = await Promise.all([1, 2, 3].map(() => openDatabase({ url: server.url })));
    try {
      await Promise.all(replicas.map((replica) => migrateDatabase(replica)));
      const result = await replicas[0].db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'));
      expect(rowsOf<{ n: number }>(result)[0].n).toBe(journal.entries.length);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});

describe('openDatabase with a data dir', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lgsp-data-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps the registry in PGlite files under <dataDir>/registry across restarts', async () => {
    const first = await openDatabase({ dataDir });
    expect(first.kind).toBe('pglite');
    await migrateDatabase(first);
    await first.db.insert(consumerSystems).values({ id: 'tu-ha-noi.qlcb', name: 'QLCB' });
    await first.close();
    expect((await stat(join(dataDir, 'registry'))).isDirectory()).toBe(true);

    const second = await openDatabase({ dataDir });
    await migrateDatabase(second);
    const rows = await second.db.select({ id: consumerSystems.id }).from(consumerSystems);
    await second.close();
    expect(rows).toEqual([{ id: 'tu-ha-noi.qlcb' }]);
  }, SETUP_TIMEOUT_MS);

  it('refuses options naming no database', async () => {
    await expect(openDatabase({})).rejects.toThrow('openDatabase needs a url, a dataDir or inMemory');
  });
});
