import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { canonicalJson, ledgerHeads, ledgerTransactions, migrateDatabase, openDatabase } from '@lgsp/data';
import type { LgspDatabase } from '@lgsp/data';
import type { PlatformSigningKey } from '@lgsp/signature';
import { createTestDatabase } from '@lgsp/testing';
import type { TestDatabase } from '@lgsp/testing';
import { and, eq, sql } from 'drizzle-orm';

import { nextRecord, records, testSigningKey, writeRecords } from '../../../test/ledger-test.util';
import type { ChainedDocument } from '../chain/hash-chain.util';
import { EMPTY_CHAIN, chainDocument, chainHashOf } from '../chain/hash-chain.util';
import { signHead } from '../chain/head-signer.util';
import { LedgerIngestor } from '../ingest/ledger-ingestor.service';
import { SegmentOutboxSource } from '../outbox/segment-outbox.source';
import { ecsDocumentOf } from '../shipping/ecs-document.util';
import type { ChainReader, SignedHead } from '../store/ledger-store.type';
import { SqlLedgerStore } from '../store/sql-ledger.store';
import { formatLedgerVerification, verifyLedger } from './verify-ledger.util';

const PERIOD = { from: new Date('2024-12-31T00:00:00Z'), to: new Date('2030-01-01T00:00:00Z') };

/** The tamper tests: a ledger of 10 records with heads at 5 and 10, then one record altered, removed or inserted. */
describe('verifyLedger on the SQL store (PostgreSQL): tamper evidence', () => {
  jest.setTimeout(30_000);
  let testDatabase: TestDatabase;
  let database: LgspDatabase;
  let store: SqlLedgerStore;
  let root: string;
  let key: PlatformSigningKey;
  let documents: ChainedDocument[];
  let partition: string;

  beforeAll(async () => {
    key = await testSigningKey();
  });

  beforeEach(async () => {
    testDatabase = await createTestDatabase();
    database = await openDatabase({ url: testDatabase.url });
    await migrateDatabase(database);
    store = new SqlLedgerStore(database, { pageSize: 4 });
    root = await mkdtemp(join(tmpdir(), 'lgsp-verify-'));
    const outbox = join(root, 'outbox');
    const ingestor = new LedgerIngestor({ sources: [new SegmentOutboxSource({ directories: [outbox] })], writer: store, deadLetterDir: root, heads: { key, intervalSeconds: 3_600 } });
    await writeRecords(outbox, records(5));
    await ingestor.runOnce();
    await ingestor.signHeads();
    await writeRecords(outbox, records(5));
    await ingestor.runOnce();
    await ingestor.stop();
    const rows = await database.db.select().from(ledgerTransactions).orderBy(ledgerTransactions.chainSeq);
    documents = rows.map((r) => JSON.parse(r.document) as ChainedDocument);
    partition = rows[0].partition;
  });

  afterEach(async () => {
    await database.close();
    await testDatabase.drop();
    await rm(root, { recursive: true, force: true });
  });

  const verify = () => verifyLedger(store, key.jwks, PERIOD);
  const at = (seq: number) => documents[seq - 1];

  it('a clean ledger verifies with no problem', async () => {
    expect(await verify()).toEqual({ from: PERIOD.from.toISOString(), to: PERIOD.to.toISOString(), ok: true, partitions: 1, records: 10, heads: 2, problems: [], unsignedTails: [] });
  });

  it('names an UPDATEd document as altered, once', async () => {
    const altered = { ...at(4), http: { ...at(4).http, response: { ...at(4).http.response, status_code: 204 } } };
    await database.db.update(ledgerTransactions).set({ document: canonicalJson(altered) }).where(eq(ledgerTransactions.transactionId, at(4).transaction.id));
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ kind: 'altered', partition, seq: 4, transactionId: at(4).transaction.id, detail: expect.any(String) }]);
    expect(formatLedgerVerification(report)).toContain(`ALTERED ${partition} seq 4 transaction ${at(4).transaction.id}`);
  });

  it('names a document rewritten with its hash recomputed as altered, once', async () => {
    const rewritten = { ...at(7), url: { path: '/v1/elsewhere' } } as ChainedDocument;
    rewritten.lgsp = { ...rewritten.lgsp, chain: { ...rewritten.lgsp.chain } };
    rewritten.lgsp.chain.hash = chainHashOf(rewritten);
    await database.db.update(ledgerTransactions).set({ document: canonicalJson(rewritten), chainHash: rewritten.lgsp.chain.hash }).where(eq(ledgerTransactions.transactionId, at(7).transaction.id));
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'altered', seq: 7, transactionId: at(7).transaction.id })]);
  });

  it('names a row whose searchable column was edited beside its document as altered', async () => {
    await database.db.update(ledgerTransactions).set({ consumerId: 'someone-else' }).where(eq(ledgerTransactions.transactionId, at(2).transaction.id));
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'altered', seq: 2, transactionId: at(2).transaction.id })]);
  });

  it('names a DELETEd record as removed, in the middle and at a signed head', async () => {
    await database.db.delete(ledgerTransactions).where(eq(ledgerTransactions.transactionId, at(3).transaction.id));
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'removed', partition, seq: 3 })]);
    await database.db.delete(ledgerTransactions).where(eq(ledgerTransactions.transactionId, at(10).transaction.id));
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'removed', seq: 3 }), expect.objectContaining({ kind: 'removed', seq: 10 })]);
  });

  it('names a forged record at the end: as inserted when it does not link, as the unsigned tail when it does', async () => {
    const badLink = chainDocument(ecsDocumentOf(nextRecord()), partition, { seq: 10, hash: 'f'.repeat(64) }).document;
    await store.append([badLink]);
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'inserted', seq: 11, transactionId: badLink.transaction.id })]);

    await database.db.delete(ledgerTransactions).where(eq(ledgerTransactions.transactionId, badLink.transaction.id));
    const linked = chainDocument(ecsDocumentOf(nextRecord()), partition, { seq: 10, hash: at(10).lgsp.chain.hash }).document;
    await store.append([linked]);
    const report = await verify();
    expect(report.problems).toEqual([]);
    expect(report.unsignedTails).toEqual([{ partition, fromSeq: 11, toSeq: 11, count: 1, transactionIds: [linked.transaction.id] }]);
  });

  it('names a forged second record at a seq in the middle as inserted, once', async () => {
    // The attacker has the rights to drop the unique index first.
    await database.db.execute(sql`drop index ledger_transactions_chain_idx`);
    const forged = chainDocument(ecsDocumentOf(nextRecord()), partition, { seq: 5, hash: at(6).lgsp.chain.prev_hash }).document;
    expect(forged.lgsp.chain.seq).toBe(6);
    expect((await store.append([forged])).created).toBe(1);
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'inserted', seq: 6, transactionId: forged.transaction.id })]);
  });

  it('names a record under a partition no signed head covers as inserted', async () => {
    const forged = chainDocument(ecsDocumentOf(nextRecord()), 'files-00000000-0000-4000-8000-000000000000', EMPTY_CHAIN).document;
    await store.append([forged]);
    const report = await verify();
    expect(report.partitions).toBe(2);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'inserted', partition: forged.lgsp.chain.partition, seq: 1, transactionId: forged.transaction.id })]);
  });

  it('reports a head that does not verify, and a chain rewritten between two heads', async () => {
    await database.db.update(ledgerHeads).set({ hash: 'a'.repeat(64) }).where(and(eq(ledgerHeads.partition, partition), eq(ledgerHeads.seq, 5)));
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'head-invalid', seq: 5 })]);
    const other = await testSigningKey('rsa');
    // Under another key no head verifies: nothing vouches for the partition, every record is named.
    const problems = (await verifyLedger(store, other.jwks, PERIOD)).problems;
    expect(problems.filter((p) => p.kind === 'head-invalid').map((p) => p.seq)).toEqual([5, 10]);
    expect(problems.filter((p) => p.kind === 'inserted').map((p) => p.transactionId)).toEqual(documents.map((d) => d.transaction.id));
  });

  it('reports a head mismatch when every record after a head is rebuilt into a consistent chain', async () => {
    let state = { seq: 5, hash: at(5).lgsp.chain.hash };
    for (let seq = 6; seq <= 10; seq++) {
      const { lgsp, ...rest } = at(seq);
      const { chain: _chain, ...ecsLgsp } = lgsp;
      const rebuilt = chainDocument({ ...rest, lgsp: ecsLgsp, url: { path: '/v1/rewritten' } }, partition, state);
      state = rebuilt.state;
      await database.db.update(ledgerTransactions).set({ document: canonicalJson(rebuilt.document), chainHash: rebuilt.document.lgsp.chain.hash }).where(eq(ledgerTransactions.transactionId, at(seq).transaction.id));
    }
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'head-mismatch', seq: 10, detail: expect.stringContaining('between seq 5 and 10') })]);
  });
});

/** A reader over documents in memory, for the period logic. */
function memoryReader(documents: ChainedDocument[], heads: SignedHead[]): ChainReader & { reads: number[] } {
  const reads: number[] = [];
  return {
    reads,
    partitions: async () => [...new Set(documents.map((d) => d.lgsp.chain.partition))],
    chain: async function* (partition, fromSeq, toSeq) {
      for (const document of documents) {
        const { seq } = document.lgsp.chain;
        if (document.lgsp.chain.partition === partition && seq >= fromSeq && seq <= toSeq) {
          reads.push(seq);
          yield document;
        }
      }
    },
    heads: async (partition) => heads.filter((h) => h.partition === partition),
  };
}

describe('verifyLedger over a period', () => {
  it('starts at the last head at or before the period and stops at the first head after it', async () => {
    const key = await testSigningKey('rsa');
    const documents: ChainedDocument[] = [];
    let state = EMPTY_CHAIN;
    for (const record of records(30)) {
      const chained = chainDocument(ecsDocumentOf(record), 'p', state);
      documents.push(chained.document);
      state = chained.state;
    }
    const heads = await Promise.all(
      [10, 20, 30].map((seq, i) => signHead(key, { partition: 'p', seq, hash: documents[seq - 1].lgsp.chain.hash }, new Date(Date.UTC(2025, 1, 1 + i * 10)))),
    );
    const reader = memoryReader(documents, heads);
    const report = await verifyLedger(reader, key.jwks, { from: new Date(Date.UTC(2025, 1, 5)), to: new Date(Date.UTC(2025, 1, 12)) });
    expect(report).toMatchObject({ ok: true, problems: [] });
    // Head 10 (1 Feb) is the last at or before `from` (5 Feb); head 30 (21 Feb) is the first after `to` (12 Feb).
    expect(reader.reads).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
  });
});
