import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ledgerHeads, ledgerTransactions, migrateDatabase, openDatabase } from '@lgsp/data';
import type { LgspDatabase } from '@lgsp/data';
import { SegmentFileSink, segmentName } from '@lgsp/ledger-client';
import type { PlatformSigningKey } from '@lgsp/signature';
import { createTestDatabase } from '@lgsp/testing';
import type { TestDatabase } from '@lgsp/testing';
import { asc } from 'drizzle-orm';

import { ids, nextRecord, records, testSigningKey, writeRecords } from '../../../test/ledger-test.util';
import type { ChainedDocument } from '../chain/hash-chain.util';
import { GENESIS_HASH, chainHashOf } from '../chain/hash-chain.util';
import { PARTITION_ID_FILE, SegmentOutboxSource } from '../outbox/segment-outbox.source';
import type { SegmentOutboxSourceOptions } from '../outbox/segment-outbox.source';
import { DEAD_LETTER_FILE } from '../shipping/dead-letter.util';
import { CURSOR_FILE, readShippingState } from '../shipping/outbox-cursor.util';
import type { LedgerWriter } from '../store/ledger-store.type';
import { SqlLedgerStore } from '../store/sql-ledger.store';
import { verifyLedger } from '../verify/verify-ledger.util';
import type { LedgerIngestorOptions } from './ledger-ingestor.service';
import { LedgerIngestor } from './ledger-ingestor.service';

const PERIOD = { from: new Date('2024-12-31T00:00:00Z'), to: new Date('2030-01-01T00:00:00Z') };

/** A writer that can be taken down, in front of the real store. */
class SwitchableWriter implements LedgerWriter {
  down = false;
  appends = 0;
  constructor(private readonly store: SqlLedgerStore) {}
  ensureReady() {
    return this.down ? Promise.reject(new Error('store down')) : this.store.ensureReady();
  }
  append(documents: readonly ChainedDocument[]) {
    this.appends += 1;
    return this.down ? Promise.reject(new Error('store down')) : this.store.append(documents);
  }
  appendHeads(heads: Parameters<LedgerWriter['appendHeads']>[0]) {
    return this.down ? Promise.reject(new Error('store down')) : this.store.appendHeads(heads);
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function pipelineSuite(kind: 'postgres' | 'pglite'): void {
  let testDatabase: TestDatabase | undefined;
  let database: LgspDatabase;
  let store: SqlLedgerStore;
  let writer: SwitchableWriter;
  let root: string;
  let outbox: string;
  let key: PlatformSigningKey;
  const ingestors: LedgerIngestor[] = [];

  beforeAll(async () => {
    key = await testSigningKey();
  });

  beforeEach(async () => {
    if (kind === 'postgres') {
      testDatabase = await createTestDatabase();
      database = await openDatabase({ url: testDatabase.url });
    } else {
      database = await openDatabase({ inMemory: true });
    }
    await migrateDatabase(database);
    store = new SqlLedgerStore(database, { pageSize: 7 });
    writer = new SwitchableWriter(store);
    root = await mkdtemp(join(tmpdir(), 'lgsp-ingest-'));
    outbox = join(root, 'ledger', 'outbox');
  });

  afterEach(async () => {
    await Promise.all(ingestors.splice(0).map((i) => i.stop()));
    await database.close();
    await testDatabase?.drop();
    await rm(root, { recursive: true, force: true });
  });

  function ingestorFor(options: Partial<LedgerIngestorOptions> & { source?: Partial<SegmentOutboxSourceOptions> } = {}): LedgerIngestor {
    const { source, ...rest } = options;
    const ingestor = new LedgerIngestor({
      sources: [new SegmentOutboxSource({ directories: [outbox], ...source })],
      writer,
      deadLetterDir: join(root, 'ledger'),
      heads: { key, intervalSeconds: 3_600 },
      pollIntervalMs: 10,
      failureBackoff: { initialMs: 5, maxMs: 20 },
      ...rest,
    });
    ingestors.push(ingestor);
    return ingestor;
  }

  async function storedRows() {
    return database.db.select().from(ledgerTransactions).orderBy(asc(ledgerTransactions.partition), asc(ledgerTransactions.chainSeq));
  }

  it('chains the outbox in order into the store, acknowledges with the chain state, signs a head and verifies clean', async () => {
    const written = await writeRecords(outbox, records(12), { segmentBytes: 1_500, flushEvery: 4 });
    const seen: string[] = [];
    const ingestor = ingestorFor({ maxBatchRecords: 5, observers: [{ ingested: (documents) => void seen.push(...documents.map((d) => d.transaction.id)) }] });
    expect(await ingestor.runOnce()).toEqual({ acknowledged: 12, failed: false });

    const partition = `files-${(await readFile(join(outbox, PARTITION_ID_FILE), 'utf8')).trim()}`;
    const rows = await storedRows();
    expect(rows.map((r) => r.transactionId)).toEqual(ids(written));
    expect(rows.map((r) => [r.partition, r.chainSeq])).toEqual(written.map((_, i) => [partition, i + 1]));
    const documents = rows.map((r) => JSON.parse(r.document) as ChainedDocument);
    expect(documents[0].lgsp.chain.prev_hash).toBe(GENESIS_HASH);
    documents.forEach((d, i) => {
      expect(chainHashOf(d)).toBe(d.lgsp.chain.hash);
      if (i > 0) expect(d.lgsp.chain.prev_hash).toBe(documents[i - 1].lgsp.chain.hash);
    });
    expect(rows[0]).toMatchObject({ consumerId: 'org-consumer', apiDomain: 'directory', status: 200, method: 'GET', upstream: 0 });
    expect(seen).toEqual(ids(written));
    expect(await readShippingState(outbox)).toEqual({
      cursor: expect.objectContaining({ offset: expect.any(Number) }),
      chain: { seq: 12, hash: documents[11].lgsp.chain.hash },
    });
    expect(ingestor.metrics).toMatchObject({ shipped: 12, duplicates: 0, rejected: 0, batches: 3, lagBytes: 0, lagSegments: 0 });

    expect(await ingestor.signHeads()).toBe(1);
    expect(await ingestor.signHeads()).toBe(0);
    const heads = await database.db.select().from(ledgerHeads);
    expect(heads.map((h) => [h.partition, h.seq, h.hash])).toEqual([[partition, 12, documents[11].lgsp.chain.hash]]);
    const report = await verifyLedger(store, key.jwks, PERIOD);
    expect(report).toMatchObject({ ok: true, partitions: 1, records: 12, heads: 1, problems: [], unsignedTails: [] });
  });

  it('rebuilds exactly the same chain after a restart before the acknowledgement: duplicates, no new rows', async () => {
    const first = await writeRecords(outbox, records(4));
    await ingestorFor().runOnce();
    const before = await readFile(join(outbox, CURSOR_FILE));
    const second = await writeRecords(outbox, records(5));
    await ingestorFor().runOnce();
    const stored = await storedRows();
    // The ledger stopped after the store acknowledged the second batch, before its cursor was replaced.
    await writeFile(join(outbox, CURSOR_FILE), before);
    await writeFile(join(outbox, `${CURSOR_FILE}.tmp`), '{"segm');

    const restarted = ingestorFor();
    expect(await restarted.runOnce()).toEqual({ acknowledged: 5, failed: false });
    expect(restarted.metrics).toMatchObject({ shipped: 0, duplicates: 5, rejected: 0 });
    expect(await storedRows()).toEqual(stored);
    expect((await readShippingState(outbox)).chain.seq).toBe(9);

    const third = await writeRecords(outbox, records(2));
    await restarted.stop();
    await ingestorFor().runOnce();
    expect((await storedRows()).map((r) => r.transactionId)).toEqual(ids([...first, ...second, ...third]));
    expect((await verifyLedger(store, key.jwks, PERIOD)).problems).toEqual([]);
  });

  it('acknowledges nothing while the store is down, then drains in order', async () => {
    const sink = await SegmentFileSink.open({ dir: outbox, flushIntervalMs: 5, segmentBytes: 4_096 });
    const written = records(40);
    const ingestor = ingestorFor({ maxBatchRecords: 7 });
    writer.down = true;
    ingestor.start();
    written.slice(0, 25).forEach((r) => sink.record(r));
    await sink.flush();
    await waitFor(() => ingestor.metrics.consecutiveFailures >= 3);
    expect(await storedRows()).toEqual([]);
    expect(await readShippingState(outbox)).toEqual({ cursor: { segment: 0, offset: 0 }, chain: { seq: 0, hash: GENESIS_HASH } });
    expect(ingestor.metrics.lagBytes).toBeGreaterThan(0);

    writer.down = false;
    written.slice(25).forEach((r) => sink.record(r));
    await sink.close();
    await waitFor(async () => (await storedRows()).length === 40);
    await ingestor.stop();
    expect((await storedRows()).map((r) => r.transactionId)).toEqual(ids(written));
    expect(ingestor.metrics).toMatchObject({ shipped: 40, duplicates: 0, consecutiveFailures: 0, lagBytes: 0 });
    expect(ingestor.metrics.failures).toBeGreaterThanOrEqual(3);
    // stop() signed the final head: the whole chain is covered.
    expect(await verifyLedger(store, key.jwks, PERIOD)).toMatchObject({ ok: true, unsignedTails: [], heads: 1 });
  });

  if (kind === 'pglite') return;

  it('keeps a refused document, chained, and malformed lines in the dead letters: verify reports the refused seq removed', async () => {
    const written = await writeRecords(outbox, [nextRecord(), nextRecord({ transactionId: 'not-a-uuid' }), nextRecord()]);
    await appendFile(join(outbox, segmentName(1)), 'not json\n{"status":200}\n');
    const ingestor = ingestorFor();
    await ingestor.runOnce();
    await ingestor.signHeads();
    expect(ingestor.metrics).toMatchObject({ shipped: 2, rejected: 1, malformed: 2 });
    const letters = (await readFile(join(root, 'ledger', DEAD_LETTER_FILE), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(letters.map((l) => l['kind'])).toEqual(['malformed', 'malformed', 'rejected']);
    expect(letters[0]).toMatchObject({ line: 'not json' });
    const rejected = letters[2] as { status: number; document: ChainedDocument };
    expect(rejected.status).toBe(400);
    expect(rejected.document.transaction.id).toBe(written[1].transactionId);
    expect(rejected.document.lgsp.chain.seq).toBe(2);

    const report = await verifyLedger(store, key.jwks, PERIOD);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'removed', seq: 2 })]);
  });

  it('passes over a torn line of an older segment and waits for the unfinished last line of the newest', async () => {
    const before = await writeRecords(outbox, records(2));
    await appendFile(join(outbox, segmentName(1)), '{"transactionId":"0190f5d2-torn');
    const sink = await SegmentFileSink.open({ dir: outbox, flushIntervalMs: 60_000, segmentBytes: 1 << 20 });
    const complete = nextRecord();
    sink.record(complete);
    await sink.flush();
    const late = nextRecord();
    const line = JSON.stringify(late) + '\n';
    await appendFile(sink.currentSegment, line.slice(0, 30));
    const ingestor = ingestorFor();
    await ingestor.runOnce();
    expect((await storedRows()).map((r) => r.transactionId)).toEqual(ids([...before, complete]));
    expect(ingestor.metrics.tornLines).toBe(1);
    await appendFile(sink.currentSegment, line.slice(30));
    await ingestor.runOnce();
    expect((await storedRows()).map((r) => r.transactionId)).toEqual(ids([...before, complete, late]));
    expect(ingestor.metrics.tornLines).toBe(1);
    await sink.close();
  });

  it('reads several outbox directories, a partition each, and deletes shipped closed segments when asked', async () => {
    const iam = join(root, 'ledger', 'iam-outbox');
    await writeRecords(outbox, records(2));
    await writeRecords(outbox, records(2));
    const iamRecords = await writeRecords(iam, records(3));
    const ingestor = ingestorFor({ sources: [new SegmentOutboxSource({ directories: [outbox, iam], deleteShippedSegments: true })] });
    await ingestor.runOnce();
    const rows = await storedRows();
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.partition)).size).toBe(2);
    expect(rows.filter((r) => iamRecords.some((x) => x.transactionId === r.transactionId)).map((r) => r.chainSeq)).toEqual([1, 2, 3]);
    expect((await readdir(outbox)).filter((n) => n.startsWith('segment-'))).toEqual([segmentName(2)]);
    await ingestor.stop();
    expect(await verifyLedger(store, key.jwks, PERIOD)).toMatchObject({ ok: true, partitions: 2, heads: 2 });
  });

  it('stop() lets the batch in flight finish and be acknowledged, and reads no more', async () => {
    await writeRecords(outbox, records(6));
    let release!: () => void;
    const slow: LedgerWriter = {
      ensureReady: async () => undefined,
      append: async (documents) => {
        await new Promise<void>((resolve) => (release = resolve));
        return store.append(documents);
      },
      appendHeads: (heads) => store.appendHeads(heads),
    };
    const ingestor = ingestorFor({ writer: slow, maxBatchRecords: 2 });
    ingestor.start();
    await waitFor(() => release !== undefined);
    const stopped = ingestor.stop();
    release();
    await stopped;
    expect(await storedRows()).toHaveLength(2);
    expect((await readShippingState(outbox)).chain.seq).toBe(2);
    expect((await database.db.select().from(ledgerHeads)).map((h) => h.seq)).toEqual([2]);
  });
}

describe('LedgerIngestor with SegmentOutboxSource into SqlLedgerStore on PostgreSQL', () => {
  jest.setTimeout(30_000);
  pipelineSuite('postgres');
});

describe('LedgerIngestor with SegmentOutboxSource into SqlLedgerStore on PGlite', () => {
  jest.setTimeout(30_000);
  pipelineSuite('pglite');
});
