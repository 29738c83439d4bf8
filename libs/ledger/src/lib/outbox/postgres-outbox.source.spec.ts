import type { TransactionRecord } from '@lgsp/contracts';
import { migrateDatabase, openDatabase } from '@lgsp/data';
import { createTestDatabase } from '@lgsp/testing';
import type { TestDatabase } from '@lgsp/testing';
import { Pool } from 'pg';

import { GENESIS_HASH } from '../chain/hash-chain.util';
import type { OutboxBatch } from './outbox-source.type';
import { OutboxLeaseLostError, PostgresOutboxSource } from './postgres-outbox.source';

function lineOf(partition: string, seq: number, receivedAt = new Date(1_700_000_000_000 + seq)): string {
  const record: TransactionRecord = {
    transactionId: `0190f5d2-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    requestId: `3b241101-e2bb-4255-8caf-${String(seq).padStart(12, '0')}`,
    receivedAt: receivedAt.toISOString(),
    durationMs: 1.5,
    clientIp: '127.0.0.1',
    method: 'GET',
    path: `/v1/directory/${partition}`,
    status: 200,
    bytesIn: 0,
    bytesOut: 10,
  };
  return JSON.stringify(record);
}

const LIMITS = { maxRecords: 1000, maxBytes: 1 << 20 };

describe('PostgresOutboxSource', () => {
  let testDb: TestDatabase;
  let pool: Pool;
  const sources: PostgresOutboxSource[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const database = await openDatabase({ url: testDb.url });
    await migrateDatabase(database);
    await database.close();
    pool = new Pool({ connectionString: testDb.url });
  }, 60_000);

  beforeEach(async () => {
    await pool.query('truncate ledger_outbox, ledger_outbox_partitions');
  });

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.close()));
  });

  afterAll(async () => {
    await pool?.end();
    await testDb?.drop();
  });

  function source(owner: string): PostgresOutboxSource {
    const opened = new PostgresOutboxSource({ pool, owner });
    sources.push(opened);
    return opened;
  }

  async function write(partition: string, seqs: number[], line: (seq: number) => string = (seq) => lineOf(partition, seq)): Promise<void> {
    await pool.query(`insert into ledger_outbox_partitions (partition, writer) values ($1, 'gateway test pid 1') on conflict do nothing`, [partition]);
    await pool.query('insert into ledger_outbox (partition, seq, record) select $1, s, r from unnest($2::bigint[], $3::text[]) as b(s, r)', [partition, seqs, seqs.map(line)]);
  }

  async function progress(partition: string): Promise<{ shipped_seq: string; chain_seq: string; chain_hash: string | null; lease_owner: string | null; rows: number }> {
    const row = (await pool.query('select shipped_seq, chain_seq, chain_hash, lease_owner from ledger_outbox_partitions where partition = $1', [partition])).rows[0];
    const rows = (await pool.query<{ n: number }>('select count(*)::int as n from ledger_outbox where partition = $1', [partition])).rows[0].n;
    return { ...row, rows };
  }

  const seqsOf = (batch: OutboxBatch | undefined): number[] => (batch?.records ?? []).map((r) => Number(r.transactionId.slice(-12)));
  const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('reads a partition from GENESIS in order, and a commit deletes the rows and moves position and chain together', async () => {
    await write('gateway-a', range(1, 5));
    const reader = source('ledger-1');
    const first = await reader.next({ maxRecords: 3, maxBytes: 1 << 20 });
    expect(first).toMatchObject({ partition: 'gateway-a', chain: { seq: 0, hash: GENESIS_HASH }, malformed: [], tornLines: 0 });
    expect(seqsOf(first)).toEqual([1, 2, 3]);
    expect((await progress('gateway-a')).lease_owner).toBe('ledger-1');

    await first?.commit({ seq: 3, hash: 'a'.repeat(64) });
    expect(await progress('gateway-a')).toEqual({ shipped_seq: '3', chain_seq: '3', chain_hash: 'a'.repeat(64), lease_owner: null, rows: 2 });

    const second = await reader.next(LIMITS);
    expect(second?.chain).toEqual({ seq: 3, hash: 'a'.repeat(64) });
    expect(seqsOf(second)).toEqual([4, 5]);
    await second?.commit({ seq: 5, hash: 'b'.repeat(64) });
    expect(await reader.next(LIMITS)).toBeUndefined();
  });

  it('reads only the contiguous run after the shipped seq, and a batch stays within maxBytes (at least one record)', async () => {
    await write('gateway-a', [1, 2, 3, 5, 6]);
    const reader = source('ledger-1');
    const batch = await reader.next(LIMITS);
    expect(seqsOf(batch)).toEqual([1, 2, 3]);
    await batch?.commit({ seq: 3, hash: 'c'.repeat(64) });
    // seq 4 is not there yet: nothing may be read past it.
    expect(await reader.next(LIMITS)).toBeUndefined();

    await write('gateway-a', [4]);
    const oneLine = Buffer.byteLength(lineOf('gateway-a', 4));
    expect(seqsOf(await reader.next({ maxRecords: 10, maxBytes: oneLine * 2 }))).toEqual([4, 5]);
    await reader.close();
    expect(seqsOf(await source('ledger-2').next({ maxRecords: 10, maxBytes: 1 }))).toEqual([4]);
  });

  it('hands rows that are not records to malformed, and their commit passes over them', async () => {
    await write('gateway-a', [1, 2, 3], (seq) => (seq === 2 ? '{"transactionId":"torn' : seq === 3 ? '{"no":"id"}' : lineOf('gateway-a', seq)));
    const batch = await source('ledger-1').next(LIMITS);
    expect(seqsOf(batch)).toEqual([1]);
    expect(batch?.malformed).toEqual(['{"transactionId":"torn', '{"no":"id"}']);
    await batch?.commit({ seq: 1, hash: 'd'.repeat(64) });
    expect(await progress('gateway-a')).toMatchObject({ shipped_seq: '3', chain_seq: '1', rows: 0 });
  });

  it('serves partitions in turn', async () => {
    await write('gateway-a', range(1, 6));
    await write('gateway-b', range(1, 6));
    await write('iam-c', range(1, 2));
    const reader = source('ledger-1');
    const served: string[] = [];
    for (let batch = await reader.next({ maxRecords: 2, maxBytes: 1 << 20 }); batch !== undefined; batch = await reader.next({ maxRecords: 2, maxBytes: 1 << 20 })) {
      served.push(batch.partition);
      await batch.commit({ seq: batch.chain.seq + batch.records.length, hash: 'e'.repeat(64) });
    }
    expect(served).toEqual(['gateway-a', 'gateway-b', 'iam-c', 'gateway-a', 'gateway-b', 'gateway-a', 'gateway-b']);
  });

  it('lets two readers share the partitions under leases, never one partition at once', async () => {
    const partitions = ['gateway-1', 'gateway-2', 'gateway-3', 'gateway-4', 'gateway-5'];
    for (const partition of partitions) await write(partition, range(1, 3));
    const readers = [source('ledger-1'), source('ledger-2')];
    const held = new Map<string, string>();
    // Batches held, not committed: each claim must find a partition nobody holds.
    for (let turn = 0; ; turn++) {
      const reader = readers[turn % 2];
      const batch = await reader.next(LIMITS);
      if (batch === undefined) {
        if ((await readers[(turn + 1) % 2].next(LIMITS)) !== undefined) throw new Error('one reader found a partition the other did not');
        break;
      }
      expect(held.has(batch.partition)).toBe(false);
      held.set(batch.partition, reader.owner);
    }
    expect([...held.keys()].sort()).toEqual(partitions);
    expect(new Set(held.values())).toEqual(new Set(['ledger-1', 'ledger-2']));
  });

  it('claims concurrently without overlap', async () => {
    const partitions = Array.from({ length: 8 }, (_, i) => `gateway-${i}`);
    for (const partition of partitions) await write(partition, range(1, 2));
    const readers = Array.from({ length: 4 }, (_, i) => source(`ledger-${i}`));
    const batches = (await Promise.all(readers.flatMap((reader) => [reader.next(LIMITS), reader.next(LIMITS)]))).filter((b) => b !== undefined);
    expect(batches.map((b) => b.partition).sort()).toEqual(partitions);
  });

  it('refuses a commit once the lease was lost to another reader, and changes nothing', async () => {
    await write('gateway-a', range(1, 4));
    const first = source('ledger-1');
    const stale = await first.next(LIMITS);
    // The first reader stalls past its lease: it runs out, and the second takes the partition over.
    await pool.query(`update ledger_outbox_partitions set lease_until = now() - interval '1 second' where partition = 'gateway-a'`);
    const taken = await source('ledger-2').next(LIMITS);
    expect(taken?.partition).toBe('gateway-a');

    await expect(stale?.commit({ seq: 4, hash: 'f'.repeat(64) })).rejects.toBeInstanceOf(OutboxLeaseLostError);
    expect(await progress('gateway-a')).toEqual({ shipped_seq: '0', chain_seq: '0', chain_hash: null, lease_owner: 'ledger-2', rows: 4 });
    await taken?.commit({ seq: 4, hash: '1'.repeat(64) });
    expect(await progress('gateway-a')).toMatchObject({ shipped_seq: '4', chain_hash: '1'.repeat(64), rows: 0 });
  });

  it('rolls the whole commit back when part of it fails: position, chain and rows stay as they were', async () => {
    await write('gateway-a', range(1, 3));
    await pool.query(`create function refuse_delete() returns trigger language plpgsql as $$ begin raise exception 'delete refused'; end $$`);
    await pool.query('create trigger refuse_delete before delete on ledger_outbox for each row execute function refuse_delete()');
    try {
      const batch = await source('ledger-1').next(LIMITS);
      await expect(batch?.commit({ seq: 3, hash: '2'.repeat(64) })).rejects.toThrow('delete refused');
      expect(await progress('gateway-a')).toEqual({ shipped_seq: '0', chain_seq: '0', chain_hash: null, lease_owner: 'ledger-1', rows: 3 });
    } finally {
      await pool.query('drop trigger refuse_delete on ledger_outbox');
      await pool.query('drop function refuse_delete');
    }
  });

  it('gives a reader that takes over after a crash before commit the same records from the same chain state', async () => {
    await write('gateway-a', range(1, 6));
    const before = source('ledger-1');
    const shipped = await before.next({ maxRecords: 2, maxBytes: 1 << 20 });
    await shipped?.commit({ seq: 2, hash: '3'.repeat(64) });
    const lost = await before.next({ maxRecords: 3, maxBytes: 1 << 20 });
    // ledger-1 dies here (no commit, no close); its lease runs out.
    await pool.query(`update ledger_outbox_partitions set lease_until = now() - interval '1 second'`);

    const after = await source('ledger-2').next({ maxRecords: 3, maxBytes: 1 << 20 });
    expect(after?.chain).toEqual({ seq: 2, hash: '3'.repeat(64) });
    expect(after?.chain).toEqual(lost?.chain);
    expect(after?.records).toEqual(lost?.records);
    expect(seqsOf(after)).toEqual([3, 4, 5]);
  });

  it('gives its leases back on close', async () => {
    await write('gateway-a', range(1, 2));
    const reader = new PostgresOutboxSource({ pool, owner: 'ledger-1' });
    expect(await reader.next(LIMITS)).toBeDefined();
    await reader.close();
    expect((await progress('gateway-a')).lease_owner).toBeNull();
    expect(seqsOf(await source('ledger-2').next(LIMITS))).toEqual([1, 2]);
  });

  it('reports the lag: partitions with rows, rows, and the age of the oldest record', async () => {
    const reader = source('ledger-1');
    expect(await reader.lag()).toEqual({ partitions: 0, records: 0 });
    const oldest = new Date(Date.now() - 120_000);
    await write('gateway-a', range(1, 3), (seq) => lineOf('gateway-a', seq, seq === 1 ? oldest : new Date()));
    await write('gateway-b', range(1, 2), (seq) => (seq === 1 ? 'not json' : lineOf('gateway-b', seq, new Date())));
    await write('gateway-c', []);
    const lag = await reader.lag();
    expect(lag).toMatchObject({ partitions: 2, records: 5 });
    expect(lag.oldestSeconds).toBeGreaterThanOrEqual(120);
    expect(lag.oldestSeconds).toBeLessThan(3600);
  });
});
