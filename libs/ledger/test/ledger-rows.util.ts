import { randomUUID } from 'node:crypto';

import type { TransactionRecord } from '@lgsp/contracts';
import { canonicalJson, type LgspDatabase, ledgerTransactions } from '@lgsp/data';
import { v7 as uuidv7 } from 'uuid';

import { type ChainedDocument, chainDocument, type ChainState, EMPTY_CHAIN } from '../src/lib/chain/hash-chain.util';
import { ecsDocumentOf } from '../src/lib/shipping/ecs-document.util';

/** A transaction to plant in ledger_transactions; what is not given gets a plain default. */
export interface PlantedTransaction {
  at: string;
  consumerId?: string;
  providerId?: string;
  apiDomain?: string;
  apiVersion?: string;
  status?: number;
  /** X-Request-ID; `null`: none. Default: a fresh UUID v4. */
  requestId?: string | null;
  /** Reached the provider (default: when the status is not a gateway refusal, i.e. < 400 or >= 500). */
  upstream?: boolean;
  errorCode?: TransactionRecord['errorCode'];
  clientIp?: string;
  securityEvent?: TransactionRecord['securityEvent'];
  transactionId?: string;
}

export interface PlantedRow {
  transactionId: string;
  requestId?: string;
  document: ChainedDocument;
}

/**
 * Writes transactions the way the ledger's SQL store does (ECS document, chained, canonical JSON
 * with the filter columns beside it), in one partition of their own.
 */
export async function plantTransactions(database: LgspDatabase, planted: readonly PlantedTransaction[], partition = `test-${randomUUID()}`): Promise<PlantedRow[]> {
  let state: ChainState = EMPTY_CHAIN;
  const rows: PlantedRow[] = [];
  const values: (typeof ledgerTransactions.$inferInsert)[] = [];
  for (const item of planted) {
    const status = item.status ?? 200;
    const upstream = item.upstream ?? (status < 400 || status >= 500);
    const requestId = item.requestId === null ? undefined : (item.requestId ?? randomUUID());
    const record: TransactionRecord = {
      transactionId: item.transactionId ?? uuidv7(),
      receivedAt: item.at,
      durationMs: 12,
      clientIp: item.clientIp ?? '203.0.113.10',
      method: 'GET',
      path: `/${item.apiDomain ?? 'unrouted'}/${item.apiVersion ?? ''}`,
      status,
      bytesIn: 0,
      bytesOut: 10,
      ...(requestId !== undefined && { requestId }),
      ...(item.consumerId !== undefined && { consumerId: item.consumerId, clientId: item.consumerId }),
      ...(item.providerId !== undefined && { providerId: item.providerId }),
      ...(item.apiDomain !== undefined && { apiDomain: item.apiDomain }),
      ...(item.apiVersion !== undefined && { apiVersion: item.apiVersion }),
      ...(item.errorCode !== undefined && { errorCode: item.errorCode }),
      ...(item.securityEvent !== undefined && { securityEvent: item.securityEvent }),
      ...(upstream && { upstreamStartedAt: item.at, upstreamDurationMs: 5 }),
    };
    const chained = chainDocument(ecsDocumentOf(record), partition, state);
    state = chained.state;
    const document = chained.document;
    values.push({
      transactionId: record.transactionId,
      receivedAt: new Date(record.receivedAt),
      requestId: record.requestId ?? null,
      consumerId: record.consumerId ?? null,
      clientId: record.clientId ?? null,
      providerId: record.providerId ?? null,
      apiDomain: record.apiDomain ?? null,
      apiVersion: record.apiVersion ?? null,
      environment: null,
      method: record.method,
      status,
      errorCode: record.errorCode ?? null,
      clientIp: record.clientIp,
      securityEvent: record.securityEvent ?? null,
      upstream: upstream ? 1 : 0,
      partition,
      chainSeq: document.lgsp.chain.seq,
      chainHash: document.lgsp.chain.hash,
      document: canonicalJson(document),
    });
    rows.push({ transactionId: record.transactionId, ...(requestId !== undefined && { requestId }), document });
  }
  for (let start = 0; start < values.length; start += 500) await database.db.insert(ledgerTransactions).values(values.slice(start, start + 500));
  return rows;
}
