import type { TransactionRecord } from '@lgsp/contracts';
import { migrateDatabase, openDatabase } from '@lgsp/data';
import { TcpRelay, createTestDatabase } from '@lgsp/testing';
import type { TestDatabase } from '@lgsp/testing';
import { Pool } from 'pg';

import { PostgresOutboxSink } from './postgres-outbox.sink';

function recordOf(n: number): TransactionRecord {
  return {
    transactionId: `0190f5d2-0000-7000-8000-${String(n).padStart(12, '0')}`,
    requestId: `3b241101-e2bb-4255-8caf-${String(n).padStart(12, '0')}`,
    receivedAt: new Date(1_700_000_000_000 + n).toISOString(),
    durationMs: 1.5,
    clientIp: '127.0.0.1',
    method: 'GET',
    path: '/v1/directory/organisations',
    status: 200,
    bytesIn: 0,
    bytesOut: 10,
  };
}

describe('PostgresOutboxSink', () => {
  let testDb: TestDatabase;
  let pool: Pool;
  let relay: TcpRelay;
  const open: PostgresOutboxSink[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const database = await openDatabase({ url: testDb.url });
    await migrateDatabase(database);
    await database.close();
    pool = new Pool({ connectionString: testDb.url });
    relay = await TcpRelay.start({ host: '127.0.0.1', port: 5432 });
  }, 60_000);

  afterEach(async () => {
    await relay.up().catch(() => undefined);
    await Promise.all(open.splice(0).map((sink) => sink.close().catch(() => undefined)));
  });

  afterAll(async () => {
    await relay?.down();
    await pool?.end();
    await testDb?.drop();
  });

  async function openSink(options: Partial<Parameters<typeof PostgresOutboxSink.open>[0]> = {}): Promise<PostgresOutboxSink> {
    const sink = await PostgresOutboxSink.open({ pool, service: 'gateway', flushIntervalMs: 60_000, ...options });
    open.push(sink);
    return sink;
  }

  async function rowsOf(partition: string): Promise<{ seq: number; transactionId: string }[]> {
    const result = await pool.query<{ seq: string; record: string }>('select seq, record from ledger_outbox where partition = $1 order by seq', [partition]);
    return result.rows.map((row) => ({ seq: Number(row.seq), transactionId: (JSON.parse(row.record) as TransactionRecord).transactionId }));
  }

  /** seq 1..n holding the given records, in that order. */
  function numbered(records: number[]): { seq: number; transactionId: string }[] {
    return records.map((n, i) => ({ seq: i + 1, transactionId: recordOf(n).transactionId }));
  }

  const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

  async function until(done: () => Promise<boolean>): Promise<boolean> {
    for (let i = 0; i < 200; i++) {
      if (await done()) return true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return done();
  }

  it('registers its partition and commits every record in order, seqs without gaps across batches', async () => {
    const sink = await openSink({ maxBatchRecords: 400 });
    expect(sink.partition).toMatch(/^gateway-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    const registered = await pool.query<{ writer: string; shipped_seq: string }>('select writer, shipped_seq from ledger_outbox_partitions where partition = $1', [sink.partition]);
    expect(registered.rows).toEqual([{ writer: expect.stringMatching(new RegExp(`^gateway .+ pid ${process.pid}$`)), shipped_seq: '0' }]);

    for (let i = 0; i < 1000; i++) sink.record(recordOf(i));
    await sink.flush();
    for (let i = 1000; i < 1250; i++) sink.record(recordOf(i));
    await sink.flush();
    expect(sink.pending).toBe(0);
    expect(await rowsOf(sink.partition)).toEqual(numbered(range(0, 1250)));
  });

  it('commits a full batch at once, and the rest within the flush interval', async () => {
    const full = await openSink({ maxBatchRecords: 10 });
    for (let i = 0; i < 10; i++) full.record(recordOf(i));
    expect(await until(async () => (await rowsOf(full.partition)).length === 10)).toBe(true);

    const timed = await openSink({ flushIntervalMs: 20 });
    timed.record(recordOf(1));
    expect(await until(async () => (await rowsOf(timed.partition)).length === 1)).toBe(true);
  });

  it('keeps what PostgreSQL could not take and commits it once reachable: nothing lost, nothing twice, one error per outage', async () => {
    const errors: unknown[] = [];
    const sink = await openSink({ pool: undefined, databaseUrl: relay.urlFor(testDb.url), maxBatchRecords: 20, onError: (error) => errors.push(error) });
    for (let i = 0; i < 50; i++) sink.record(recordOf(i));
    await sink.flush();

    await relay.down();
    for (let i = 50; i < 100; i++) sink.record(recordOf(i));
    await expect(sink.flush()).rejects.toThrow();
    await expect(sink.flush()).rejects.toThrow();
    expect(errors).toHaveLength(1);
    expect(sink.pending).toBe(50);

    await relay.up();
    for (let i = 100; i < 110; i++) sink.record(recordOf(i));
    await sink.flush();
    expect(sink.pending).toBe(0);
    expect(await rowsOf(sink.partition)).toEqual(numbered(range(0, 110)));

    // A second outage is a second error.
    await relay.down();
    sink.record(recordOf(110));
    await expect(sink.flush()).rejects.toThrow();
    expect(errors).toHaveLength(2);
  });

  it('retries a batch whose commit succeeded but whose answer was lost with the same seqs, harmlessly', async () => {
    let loseNextAnswer = true;
    const lossy = {
      query: async (text: string, values: unknown[]) => {
        const result = await pool.query(text, values);
        if (text.includes('into ledger_outbox (') && loseNextAnswer) {
          loseNextAnswer = false;
          throw new Error('connection lost after commit');
        }
        return result;
      },
    } as unknown as Pool;
    const sink = await openSink({ pool: lossy });
    for (let i = 0; i < 30; i++) sink.record(recordOf(i));
    await expect(sink.flush()).rejects.toThrow('connection lost after commit');
    expect(sink.pending).toBe(30);
    for (let i = 30; i < 40; i++) sink.record(recordOf(i));
    await sink.flush();
    expect(await rowsOf(sink.partition)).toEqual(numbered(range(0, 40)));
  });

  it('bounds its queue while PostgreSQL is away: drops the oldest unsent, counts them, and leaves no gap', async () => {
    const sink = await openSink({ pool: undefined, databaseUrl: relay.urlFor(testDb.url), maxQueuedRecords: 5, onError: () => undefined });
    await relay.down();
    // Three records go out in a batch that fails: it may have been committed, so it keeps its seqs 1..3 and is never dropped.
    for (let i = 0; i < 3; i++) sink.record(recordOf(i));
    await expect(sink.flush()).rejects.toThrow();
    for (let i = 3; i < 13; i++) sink.record(recordOf(i));
    expect(sink.pending).toBe(5);
    expect(sink.dropped).toBe(8);

    await relay.up();
    await sink.flush();
    expect(await rowsOf(sink.partition)).toEqual(numbered([0, 1, 2, 11, 12]));
    expect(sink.dropped).toBe(8);
  });

  it('opens while PostgreSQL is unreachable and registers its partition before its first batch', async () => {
    await relay.down();
    const errors: unknown[] = [];
    const sink = await openSink({ pool: undefined, databaseUrl: relay.urlFor(testDb.url), onError: (error) => errors.push(error) });
    expect(errors).toHaveLength(1);
    sink.record(recordOf(7));
    await relay.up();
    await sink.flush();
    const registered = await pool.query('select 1 from ledger_outbox_partitions where partition = $1', [sink.partition]);
    expect(registered.rowCount).toBe(1);
    expect(await rowsOf(sink.partition)).toEqual(numbered([7]));
  });

  it('flushes on close, accepts nothing after, and leaves a pool it was given open', async () => {
    const sink = await openSink();
    sink.record(recordOf(1));
    await sink.close();
    sink.record(recordOf(2));
    expect(sink.pending).toBe(0);
    expect(await rowsOf(sink.partition)).toEqual(numbered([1]));
    expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });
});
