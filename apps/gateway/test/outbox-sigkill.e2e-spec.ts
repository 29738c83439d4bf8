import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import type { TransactionRecord } from '@lgsp/contracts';
import { migrateDatabase, openDatabase } from '@lgsp/data';
import type { LgspDatabase } from '@lgsp/data';
import type { SpyUpstream, TestDatabase } from '@lgsp/testing';
import { createTestDatabase, startSpyUpstream } from '@lgsp/testing';
import { Pool as PgPool } from 'pg';
import { Pool } from 'undici';

import type { GatewayProcess } from './gateway-process.util';
import { PUBLIC_URL, readinessUntil, seedDirectory, startGatewayProcess } from './gateway-process.util';
import { insertSigningKey, mintAccessToken } from './test-tokens.util';

const FLUSH_INTERVAL_MS = 200;
/**
 * A record is queued when its response has been handed to the socket (onResponse), then waits for
 * the next tick of the flush timer (≤ FLUSH_INTERVAL_MS). On top of that interval come the INSERT
 * of the batch (a few ms for a few thousand rows on a local server) and how late the timer fires
 * behind the requests on a busy event loop (a few ms per turn): 50 ms covers both several times on
 * this 2-core machine, while remaining a quarter of the interval.
 */
const SCHEDULING_MARGIN_MS = 50;
const CLIENTS = 20;
const LOAD_MS = 1500;

interface Answer {
  transactionId: string;
  status: number;
  /** performance.now() when the whole response had been read. */
  completedAt: number;
}

/**
 * Issue 8's done-when, counted: a gateway process on LGSP_LEDGER_OUTBOX=postgres, killed with
 * SIGKILL under load, loses at most the records of its last flush interval.
 */
describe('the gateway killed with SIGKILL under load, on the PostgreSQL outbox', () => {
  let testDb: TestDatabase;
  let database: LgspDatabase;
  let upstream: SpyUpstream;
  let dir: string;
  let token: string;
  let gateway: GatewayProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-sigkill-'));
    upstream = await startSpyUpstream();
    testDb = await createTestDatabase();
    database = await openDatabase({ url: testDb.url });
    await migrateDatabase(database);
    const consumerId = await seedDirectory(database.db, upstream.url);
    token = await mintAccessToken(PUBLIC_URL, await insertSigningKey(database.db), { sub: consumerId, client_id: 'sigkill-sandbox' });
  }, 60_000);

  afterAll(async () => {
    await gateway?.process.stop('SIGKILL');
    await database?.close();
    await testDb?.drop();
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** One keep-alive client: requests one after the other until told to stop; what was answered, with when. */
  async function client(pool: Pool, stop: { now: boolean }, answers: Answer[]): Promise<void> {
    while (!stop.now) {
      try {
        const res = await pool.request({ path: '/v1/directory/organisations', method: 'GET', headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${token}` } });
        await res.body.dump();
        answers.push({ transactionId: res.headers['x-lgsp-transaction-id'] as string, status: res.statusCode, completedAt: performance.now() });
      } catch {
        // Cut by the kill: never answered, so never owed to the ledger.
        return;
      }
    }
  }

  it('keeps every transaction answered before its last flush interval, once each, in a gapless partition', async () => {
    const dataDir = join(dir, 'gateway');
    gateway = await startGatewayProcess({
      LGSP_DATA_DIR: dataDir,
      DATABASE_URL: testDb.url,
      LGSP_LEDGER_OUTBOX: 'postgres',
      LGSP_LEDGER_FLUSH_INTERVAL_MS: String(FLUSH_INTERVAL_MS),
    });
    expect((await readinessUntil(gateway.url, (r) => r.status === 200)).status).toBe(200);

    const pool = new Pool(gateway.url, { connections: CLIENTS, pipelining: 1 });
    const answers: Answer[] = [];
    const stop = { now: false };
    const clients = Array.from({ length: CLIENTS }, () => client(pool, stop, answers));
    await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
    const killedAt = performance.now();
    gateway.process.child.kill('SIGKILL');
    stop.now = true;
    expect(await gateway.process.exited()).toBeNull();
    await Promise.all(clients);
    await pool.destroy();

    const reader = new PgPool({ connectionString: testDb.url, max: 1 });
    let partitions: { partition: string; writer: string }[];
    let rows: { partition: string; seq: string; record: string }[];
    try {
      partitions = (await reader.query<{ partition: string; writer: string }>('select partition, writer from ledger_outbox_partitions')).rows;
      rows = (await reader.query<{ partition: string; seq: string; record: string }>('select partition, seq, record from ledger_outbox order by partition, seq')).rows;
    } finally {
      await reader.end();
    }

    // The process's own partition, and nothing in the file outbox.
    expect(partitions).toEqual([{ partition: expect.stringMatching(/^gateway-/), writer: expect.stringMatching(/^gateway .+ pid \d+$/) }]);
    await expect(stat(join(dataDir, 'ledger', 'outbox'))).rejects.toMatchObject({ code: 'ENOENT' });

    const stored = rows.map((row) => (JSON.parse(row.record) as TransactionRecord).transactionId);
    const storedIds = new Set(stored);
    const missing = answers.filter((answer) => !storedIds.has(answer.transactionId));
    const owed = killedAt - FLUSH_INTERVAL_MS - SCHEDULING_MARGIN_MS;
    const summary = {
      answered: answers.length,
      answeredWithHeader: answers.filter((a) => typeof a.transactionId === 'string').length,
      statuses: [...new Set(answers.map((a) => a.status))].sort(),
      stored: rows.length,
      duplicates: stored.length - storedIds.size,
      gapless: rows.every((row, i) => Number(row.seq) === i + 1),
      missing: missing.length,
      /** How long before the kill the oldest missing transaction had been answered (ms). */
      oldestMissingMs: missing.length === 0 ? 0 : Math.round(killedAt - Math.min(...missing.map((a) => a.completedAt))),
      missingBeforeLastInterval: missing.filter((answer) => answer.completedAt < owed).length,
    };
    // Load worth the name (a few hundred answers at least), each answer carrying its transaction id.
    expect(summary.answered).toBeGreaterThan(300);
    expect(summary).toMatchObject({ answeredWithHeader: summary.answered, duplicates: 0, gapless: true, missingBeforeLastInterval: 0 });
    expect(summary.oldestMissingMs).toBeLessThanOrEqual(FLUSH_INTERVAL_MS + SCHEDULING_MARGIN_MS);
    // Something was durable long before the kill (the outbox was in use all along), and every stored answer is one the gateway gave or was giving.
    expect(summary.stored).toBeGreaterThanOrEqual(summary.answered - summary.missing);
  }, 120_000);

  it('commits everything it answered when stopped with SIGTERM, whatever the flush interval', async () => {
    // A flush interval longer than the test: what reaches the table got there by the shutdown's flush.
    const stopped = await startGatewayProcess({ LGSP_DATA_DIR: join(dir, 'graceful'), DATABASE_URL: testDb.url, LGSP_LEDGER_OUTBOX: 'postgres', LGSP_LEDGER_FLUSH_INTERVAL_MS: '60000' });
    gateway = stopped;
    expect((await readinessUntil(stopped.url, (r) => r.status === 200)).status).toBe(200);
    const pool = new Pool(stopped.url, { connections: 4 });
    const answered: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await pool.request({ path: '/v1/directory/organisations', method: 'GET', headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${token}` } });
      await res.body.dump();
      answered.push(res.headers['x-lgsp-transaction-id'] as string);
    }
    // Nothing committed yet, and /metrics says so.
    const metrics = await (await pool.request({ path: '/metrics', method: 'GET' })).body.text();
    expect(metrics).toMatch(/^lgsp_ledger_outbox_pending 40$/m);
    expect(metrics).toMatch(/^lgsp_ledger_outbox_dropped_total 0$/m);
    await pool.close();
    expect(await stopped.process.stop('SIGTERM')).toBe(0);

    const reader = new PgPool({ connectionString: testDb.url, max: 1 });
    try {
      const partition = (await reader.query<{ partition: string }>('select partition from ledger_outbox_partitions order by opened_at desc limit 1')).rows[0].partition;
      const rows = (await reader.query<{ record: string }>('select record from ledger_outbox where partition = $1 order by seq', [partition])).rows;
      expect(rows.map((row) => (JSON.parse(row.record) as TransactionRecord).transactionId)).toEqual(answered);
    } finally {
      await reader.end();
    }
  }, 120_000);
});
