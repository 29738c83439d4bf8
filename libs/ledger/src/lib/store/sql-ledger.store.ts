import { canonicalJson, ledgerHeads, ledgerTransactions } from '@lgsp/data';
import type { LgspDatabase } from '@lgsp/data';

import { and, asc, eq, gt, gte, inArray, lt, lte, max, or } from 'drizzle-orm';

import type { ChainedDocument } from '../chain/hash-chain.util';
import type { AppendRejection, AppendResult, ChainReader, LedgerWriter, SignedHead } from './ledger-store.type';

type TransactionRow = typeof ledgerTransactions.$inferInsert;
type StoredRow = typeof ledgerTransactions.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** 19 parameters a row: well under PostgreSQL's 65,535 per statement. */
const ROWS_PER_STATEMENT = 2_000;
const DEFAULT_PAGE_SIZE = 1_000;

export interface SqlLedgerStoreOptions {
  /** Rows read per query while streaming a chain. Default 1000. */
  pageSize?: number;
}

/** The filtered columns of a document, as stored beside it; what `chain` checks them against. */
type DerivedColumns = Omit<TransactionRow, 'document' | 'transactionId' | 'partition' | 'chainSeq' | 'chainHash' | 'receivedAt'> & { receivedAt: string };

function derivedColumnsOf(document: ChainedDocument): DerivedColumns {
  // The ECS document may grow fields (provider, a list of security events) ahead of this file: read them loosely.
  const lgsp = document.lgsp as ChainedDocument['lgsp'] & { provider?: { id?: string }; security_event?: string | string[] };
  const securityEvent = Array.isArray(lgsp.security_event) ? (lgsp.security_event.length === 0 ? undefined : lgsp.security_event.join(',')) : lgsp.security_event;
  return {
    receivedAt: new Date(document['@timestamp']).toISOString(),
    requestId: document.http.request.id ?? null,
    consumerId: lgsp.consumer?.id ?? null,
    clientId: lgsp.client?.id ?? null,
    providerId: lgsp.provider?.id ?? null,
    apiDomain: lgsp.api?.domain ?? null,
    apiVersion: lgsp.api?.version ?? null,
    environment: lgsp.environment ?? null,
    method: document.http.request.method,
    status: document.http.response.status_code,
    errorCode: document.error?.code ?? null,
    clientIp: document.client.ip,
    securityEvent: securityEvent ?? null,
    upstream: lgsp.upstream === undefined ? 0 : 1,
  };
}

/** Why a document cannot be a row (a local constraint): refused for good, never retried. */
function refusalOf(document: ChainedDocument): string | undefined {
  if (!UUID.test(document.transaction?.id ?? '')) return 'transaction id is not a UUID';
  if (Number.isNaN(Date.parse(document['@timestamp']))) return '@timestamp is not a date';
  if (!Number.isInteger(document.http?.response?.status_code)) return 'status is not an integer';
  if (typeof document.http?.request?.method !== 'string' || typeof document.client?.ip !== 'string') return 'method or client address missing';
  return undefined;
}

function rowOf(document: ChainedDocument): TransactionRow {
  const { receivedAt, ...columns } = derivedColumnsOf(document);
  return {
    ...columns,
    transactionId: document.transaction.id.toLowerCase(),
    receivedAt: new Date(receivedAt),
    partition: document.lgsp.chain.partition,
    chainSeq: document.lgsp.chain.seq,
    chainHash: document.lgsp.chain.hash,
    document: canonicalJson(document),
  };
}

/**
 * What the verifier is given for a stored row: its document, placed where the row's columns put it.
 * A column that disagrees with the document (a row edited beside its document, which search and
 * statements would show) is added to the document under `lgsp.stored_columns`, so its hash no longer
 * matches and the record is reported altered.
 */
function documentOfRow(row: StoredRow): ChainedDocument {
  let document: ChainedDocument;
  try {
    document = JSON.parse(row.document) as ChainedDocument;
  } catch {
    return { transaction: { id: row.transactionId }, lgsp: { chain: { partition: row.partition, seq: row.chainSeq, prev_hash: '', hash: row.chainHash }, unparsable_document: true } } as unknown as ChainedDocument;
  }
  if (typeof document !== 'object' || document === null || typeof document.lgsp !== 'object' || document.lgsp === null) return document;
  const disagreeing: Record<string, unknown> = {};
  try {
    const expected = derivedColumnsOf(document) as Record<string, unknown>;
    const stored: Record<string, unknown> = { ...row, receivedAt: row.receivedAt.toISOString() };
    for (const [column, value] of Object.entries(expected)) if (stored[column] !== value) disagreeing[column] = stored[column];
    if (row.transactionId !== document.transaction.id.toLowerCase()) disagreeing['transactionId'] = row.transactionId;
  } catch {
    disagreeing['document'] = 'incomplete';
  }
  const chain = document.lgsp.chain;
  if (chain === undefined || chain === null) return document;
  const placed = { ...document, lgsp: { ...document.lgsp, chain: { ...chain, partition: row.partition, seq: row.chainSeq } } };
  if (Object.keys(disagreeing).length > 0) (placed.lgsp as Record<string, unknown>)['stored_columns'] = disagreeing;
  return placed as ChainedDocument;
}

/**
 * The ledger's own store (the embedded default, without ELASTICSEARCH_URL): chained documents in
 * `ledger_transactions`, signed heads in `ledger_heads`, on PostgreSQL or PGlite.
 */
export class SqlLedgerStore implements LedgerWriter, ChainReader {
  private readonly pageSize: number;

  constructor(
    private readonly database: LgspDatabase,
    options: SqlLedgerStoreOptions = {},
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  /** The tables come with the migrations (migrateDatabase). */
  async ensureReady(): Promise<void> {
    await this.database.db.select({ id: ledgerTransactions.transactionId }).from(ledgerTransactions).limit(1);
  }

  /**
   * One multi-row INSERT per batch; a row that conflicts with a stored one (any unique key) is left
   * as it is. A conflict is a duplicate when the stored row is this very document (a batch re-sent
   * after a restart before its acknowledgement); anything else under that transaction id or chain
   * position is refused (409) and kept in the dead letters, never overwriting what is stored.
   */
  async append(documents: readonly ChainedDocument[]): Promise<AppendResult> {
    const rejected: AppendRejection[] = [];
    const accepted: ChainedDocument[] = [];
    for (const document of documents) {
      const reason = refusalOf(document);
      if (reason === undefined) accepted.push(document);
      else rejected.push({ document, status: 400, reason });
    }
    let created = 0;
    let duplicates = 0;
    for (let start = 0; start < accepted.length; start += ROWS_PER_STATEMENT) {
      const slice = accepted.slice(start, start + ROWS_PER_STATEMENT);
      const inserted = await this.database.db
        .insert(ledgerTransactions)
        .values(slice.map(rowOf))
        .onConflictDoNothing()
        .returning({ transactionId: ledgerTransactions.transactionId });
      created += inserted.length;
      if (inserted.length === slice.length) continue;
      const insertedIds = new Set(inserted.map((row) => row.transactionId));
      const conflicting = slice.filter((document) => !insertedIds.has(document.transaction.id.toLowerCase()));
      const stored = await this.database.db
        .select({ transactionId: ledgerTransactions.transactionId, partition: ledgerTransactions.partition, chainSeq: ledgerTransactions.chainSeq, chainHash: ledgerTransactions.chainHash })
        .from(ledgerTransactions)
        .where(inArray(ledgerTransactions.transactionId, conflicting.map((document) => document.transaction.id.toLowerCase())));
      const byId = new Map(stored.map((row) => [row.transactionId, row]));
      for (const document of conflicting) {
        const row = byId.get(document.transaction.id.toLowerCase());
        const chain = document.lgsp.chain;
        if (row !== undefined && row.partition === chain.partition && row.chainSeq === chain.seq && row.chainHash === chain.hash) duplicates += 1;
        else if (row !== undefined) rejected.push({ document, status: 409, reason: `transaction id already stored at ${row.partition} seq ${row.chainSeq}` });
        else rejected.push({ document, status: 409, reason: `chain position ${chain.partition} seq ${chain.seq} already holds another record` });
      }
    }
    return { created, duplicates, rejected };
  }

  async appendHeads(heads: readonly SignedHead[]): Promise<void> {
    if (heads.length === 0) return;
    await this.database.db
      .insert(ledgerHeads)
      .values(heads.map((head) => ({ partition: head.partition, seq: head.seq, hash: head.hash, signedAt: new Date(head.signedAt), jws: head.jws })))
      .onConflictDoNothing();
  }

  async partitions(from: Date, to: Date): Promise<string[]> {
    const records = await this.database.db
      .selectDistinct({ partition: ledgerTransactions.partition })
      .from(ledgerTransactions)
      .where(and(gte(ledgerTransactions.receivedAt, from), lte(ledgerTransactions.receivedAt, to)));
    const heads = await this.database.db
      .selectDistinct({ partition: ledgerHeads.partition })
      .from(ledgerHeads)
      .where(and(gte(ledgerHeads.signedAt, from), lte(ledgerHeads.signedAt, to)));
    return [...new Set([...records, ...heads].map((row) => row.partition))].sort();
  }

  /** Keyset pages by (seq, transaction id): a forged second row at a seq comes out too. */
  async *chain(partition: string, fromSeq: number, toSeq: number): AsyncIterable<ChainedDocument> {
    const t = ledgerTransactions;
    let after: { seq: number; id: string } | undefined;
    for (;;) {
      const position =
        after === undefined ? gte(t.chainSeq, fromSeq) : or(gt(t.chainSeq, after.seq), and(eq(t.chainSeq, after.seq), gt(t.transactionId, after.id)));
      const rows = await this.database.db
        .select()
        .from(t)
        .where(and(eq(t.partition, partition), position, lte(t.chainSeq, toSeq)))
        .orderBy(asc(t.chainSeq), asc(t.transactionId))
        .limit(this.pageSize);
      for (const row of rows) yield documentOfRow(row);
      if (rows.length < this.pageSize) return;
      const last = rows[rows.length - 1];
      after = { seq: last.chainSeq, id: last.transactionId };
    }
  }

  async heads(partition: string): Promise<SignedHead[]> {
    const rows = await this.database.db.select().from(ledgerHeads).where(eq(ledgerHeads.partition, partition)).orderBy(asc(ledgerHeads.seq));
    return rows.map((row) => ({ partition: row.partition, seq: row.seq, hash: row.hash, signedAt: row.signedAt.toISOString(), jws: row.jws }));
  }

  /**
   * Retention (LGSP_LEDGER_RETENTION_DAYS), head by head: in each partition, the newest head signed
   * before the date becomes the anchor; the records up to its seq and the older heads are deleted. The
   * anchor stays, so a later verification starts from it instead of reporting the purged past removed;
   * records after it are kept until a later head passes the date (at most one head interval longer).
   */
  async purge(before: Date): Promise<{ records: number; heads: number }> {
    const anchors = await this.database.db
      .select({ partition: ledgerHeads.partition, seq: max(ledgerHeads.seq) })
      .from(ledgerHeads)
      .where(lt(ledgerHeads.signedAt, before))
      .groupBy(ledgerHeads.partition);
    let records = 0;
    let heads = 0;
    for (const anchor of anchors) {
      if (anchor.seq === null) continue;
      const seq = Number(anchor.seq);
      const t = ledgerTransactions;
      records += (await this.database.db.delete(t).where(and(eq(t.partition, anchor.partition), lte(t.chainSeq, seq))).returning({ id: t.transactionId })).length;
      heads += (await this.database.db.delete(ledgerHeads).where(and(eq(ledgerHeads.partition, anchor.partition), lt(ledgerHeads.seq, seq))).returning({ seq: ledgerHeads.seq })).length;
    }
    return { records, heads };
  }
}
