import { type LgspDatabase, ledgerTransactions } from '@lgsp/data';
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, or, type SQL, sql } from 'drizzle-orm';

import type { ChainedDocument } from '../chain/hash-chain.util';
import { decodeLedgerCursor, encodeLedgerCursor, InvalidLedgerCursorError } from './ledger-cursor.util';
import type { LedgerQueries, LedgerScope, LedgerSearchPage, LedgerSearchQuery, RequestStatus, StatementQuery, StatementRow } from './ledger-store.type';

/** Statements count days in Vietnam time. The zone has had no daylight saving since 1975. */
export const VIETNAM_TIME_ZONE = 'Asia/Ho_Chi_Minh';
/** What a statement shows for a transaction without an API (refused before routing). */
export const NO_API = '-';
const REQUEST_STATUS_PAGE = 1000;

const t = ledgerTransactions;
const dayOf = sql<string>`to_char(${t.receivedAt} at time zone ${sql.raw(`'${VIETNAM_TIME_ZONE}'`)}, 'YYYY-MM-DD')`;
const statusClassOf = sql<string>`(${t.status} / 100)::text || 'xx'`;

function scopeCondition(scope: LedgerScope): SQL {
  const parts: SQL[] = [];
  if (scope.consumerIds !== undefined && scope.consumerIds.length > 0) parts.push(inArray(t.consumerId, [...scope.consumerIds]));
  if (scope.providerIds !== undefined && scope.providerIds.length > 0) parts.push(inArray(t.providerId, [...scope.providerIds]));
  // A scope naming no party sees nothing (a consumer admin whose unit has no systems yet).
  return parts.length === 0 ? sql`false` : (or(...parts) as SQL);
}

function searchConditions(query: LedgerSearchQuery): SQL[] {
  const conditions: SQL[] = [gte(t.receivedAt, query.from), lt(t.receivedAt, query.to)];
  if (query.scope !== undefined) conditions.push(scopeCondition(query.scope));
  if (query.consumerId !== undefined) conditions.push(eq(t.consumerId, query.consumerId));
  if (query.providerId !== undefined) conditions.push(eq(t.providerId, query.providerId));
  if (query.apiDomain !== undefined) conditions.push(eq(t.apiDomain, query.apiDomain));
  if (query.apiVersion !== undefined) conditions.push(eq(t.apiVersion, query.apiVersion));
  if (query.status !== undefined) conditions.push(eq(t.status, query.status));
  if (query.statusClass !== undefined) conditions.push(gte(t.status, query.statusClass * 100), lt(t.status, (query.statusClass + 1) * 100));
  if (query.errorCode !== undefined) conditions.push(eq(t.errorCode, query.errorCode));
  if (query.clientIp !== undefined) conditions.push(eq(t.clientIp, query.clientIp));
  if (query.requestId !== undefined) conditions.push(eq(t.requestId, query.requestId));
  if (query.transactionId !== undefined) conditions.push(eq(t.transactionId, query.transactionId));
  if (query.securityEvent === true) conditions.push(isNotNull(t.securityEvent));
  else if (query.securityEvent !== undefined) conditions.push(eq(t.securityEvent, query.securityEvent));
  return conditions;
}

/** A party's transactions: a consumer's all, a provider's only those that reached it. */
function partyConditions(query: StatementQuery): SQL[] {
  const conditions: SQL[] = [gte(t.receivedAt, query.from), lt(t.receivedAt, query.to)];
  if (query.party.kind === 'consumer') conditions.push(eq(t.consumerId, query.party.id));
  else conditions.push(eq(t.providerId, query.party.id), eq(t.upstream, 1));
  return conditions;
}

/**
 * SOC search and reconciliation on the ledger's own store (ledger_transactions, PostgreSQL or
 * PGlite): the embedded default when no ELASTICSEARCH_URL is set.
 */
export class SqlLedgerQueries implements LedgerQueries {
  constructor(private readonly database: LgspDatabase) {}

  async search(query: LedgerSearchQuery): Promise<LedgerSearchPage> {
    const conditions = searchConditions(query);
    const { db } = this.database;
    const [{ total }] = await db
      .select({ total: sql<number>`count(*)::int` })
      .from(t)
      .where(and(...conditions));
    const page = [...conditions];
    if (query.cursor !== undefined) {
      const cursor = decodeLedgerCursor(query.cursor);
      if (cursor === undefined) throw new InvalidLedgerCursorError();
      page.push(sql`(${t.receivedAt}, ${t.transactionId}) < (${cursor.receivedAt.toISOString()}::timestamptz, ${cursor.transactionId}::uuid)`);
    }
    const rows = await db
      .select({ receivedAt: t.receivedAt, transactionId: t.transactionId, document: t.document })
      .from(t)
      .where(and(...page))
      .orderBy(desc(t.receivedAt), desc(t.transactionId))
      .limit(query.size + 1);
    const items = rows.slice(0, query.size);
    const last = items.at(-1);
    return {
      total,
      items: items.map((row) => JSON.parse(row.document) as ChainedDocument),
      ...(rows.length > query.size && last !== undefined && { next: encodeLedgerCursor(last) }),
    };
  }

  async statement(query: StatementQuery): Promise<StatementRow[]> {
    // Literals, not parameters: GROUP BY must repeat the selected expressions exactly.
    const apiDomain = sql<string>`coalesce(${t.apiDomain}, ${sql.raw(`'${NO_API}'`)})`;
    const apiVersion = sql<string>`coalesce(${t.apiVersion}, ${sql.raw(`'${NO_API}'`)})`;
    const rows = await this.database.db
      .select({ apiDomain, apiVersion, day: dayOf, statusClass: statusClassOf, count: sql<number>`count(*)::int` })
      .from(t)
      .where(and(...partyConditions(query)))
      .groupBy(apiDomain, apiVersion, dayOf, statusClassOf)
      .orderBy(asc(apiDomain), asc(apiVersion), asc(dayOf), asc(statusClassOf));
    return rows.map((row) => ({ ...row, count: Number(row.count) }));
  }

  async *requestStatuses(query: StatementQuery): AsyncIterable<RequestStatus> {
    const conditions = [...partyConditions(query), isNotNull(t.requestId)];
    let after: { receivedAt: Date; transactionId: string } | undefined;
    for (;;) {
      const page = after === undefined ? conditions : [...conditions, sql`(${t.receivedAt}, ${t.transactionId}) > (${after.receivedAt.toISOString()}::timestamptz, ${after.transactionId}::uuid)`];
      const rows = await this.database.db
        .select({ receivedAt: t.receivedAt, transactionId: t.transactionId, requestId: t.requestId, status: t.status })
        .from(t)
        .where(and(...page))
        .orderBy(asc(t.receivedAt), asc(t.transactionId))
        .limit(REQUEST_STATUS_PAGE);
      for (const row of rows) yield { requestId: row.requestId ?? '', transactionId: row.transactionId, status: row.status };
      if (rows.length < REQUEST_STATUS_PAGE) return;
      after = rows[rows.length - 1];
    }
  }
}
