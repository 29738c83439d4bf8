import type { ChainedDocument } from '../chain/hash-chain.util';

/** A chain head signed by the platform at a fixed interval (LGSP_LEDGER_HEAD_INTERVAL_SECONDS). */
export interface SignedHead {
  partition: string;
  seq: number;
  hash: string;
  /** ISO-8601. */
  signedAt: string;
  /** Compact JWS over {"partition","seq","hash","signedAt"} under the platform signing key (kid = its keyid). */
  jws: string;
}

export interface AppendRejection {
  document: ChainedDocument;
  /** HTTP-like status of the refusal (Elasticsearch item status, 400 for a local constraint). */
  status: number;
  reason: string;
}

export interface AppendResult {
  /** Stored now. */
  created: number;
  /** Already stored under this transaction id: delivered earlier, counted as delivered. */
  duplicates: number;
  /** Refused for good (to the dead letters), never retried. */
  rejected: AppendRejection[];
}

/** Where the ledger stores chained documents: its own SQL store, or Elasticsearch. */
export interface LedgerWriter {
  /** Creates what the store needs (template, ILM, data stream; nothing for SQL: migrations). */
  ensureReady(): Promise<void>;
  /** Idempotent by transaction id. Throws (retryable) when the store is unavailable: nothing is acknowledged then. */
  append(documents: readonly ChainedDocument[]): Promise<AppendResult>;
  appendHeads(heads: readonly SignedHead[]): Promise<void>;
}

/** What `lgsp ledger verify` reads. */
export interface ChainReader {
  /** Partitions with records or heads in [from, to]. */
  partitions(from: Date, to: Date): Promise<string[]>;
  /** A partition's documents with fromSeq <= seq <= toSeq, in seq order (each stored document, duplicates included). */
  chain(partition: string, fromSeq: number, toSeq: number): AsyncIterable<ChainedDocument>;
  /** A partition's signed heads, in seq order. */
  heads(partition: string): Promise<SignedHead[]>;
}

/** Which transactions a caller may see: undefined = all (SOC, DGO); else only these parties'. */
export interface LedgerScope {
  consumerIds?: readonly string[];
  providerIds?: readonly string[];
}

export interface LedgerSearchQuery {
  from: Date;
  /** Exclusive. */
  to: Date;
  scope?: LedgerScope;
  consumerId?: string;
  providerId?: string;
  apiDomain?: string;
  apiVersion?: string;
  /** An exact status (404) or a class (4 = 4xx). */
  status?: number;
  statusClass?: 1 | 2 | 3 | 4 | 5;
  errorCode?: string;
  clientIp?: string;
  requestId?: string;
  transactionId?: string;
  /** Only security events (any), or one kind. */
  securityEvent?: true | string;
  /** Page size (1..1000). */
  size: number;
  /** The `next` of the previous page (opaque). */
  cursor?: string;
}

export interface LedgerSearchPage {
  /** Every match in the period (not only this page). */
  total: number;
  items: ChainedDocument[];
  /** Present when more pages follow. Order: newest first (@timestamp desc, transaction id desc). */
  next?: string;
}

export type StatementParty = { kind: 'consumer'; id: string } | { kind: 'provider'; id: string };

export interface StatementQuery {
  party: StatementParty;
  from: Date;
  /** Exclusive. */
  to: Date;
}

/** One line of a reconciliation statement: counts by API, version, day (Vietnam time, UTC+7) and status class. */
export interface StatementRow {
  apiDomain: string;
  apiVersion: string;
  /** YYYY-MM-DD in Asia/Ho_Chi_Minh. */
  day: string;
  /** '2xx' ... '5xx'. */
  statusClass: string;
  count: number;
}

/** A party's transactions by X-Request-ID, for reconciliation against its own list. */
export interface RequestStatus {
  requestId: string;
  transactionId: string;
  status: number;
}

/** SOC search and reconciliation queries. */
export interface LedgerQueries {
  search(query: LedgerSearchQuery): Promise<LedgerSearchPage>;
  statement(query: StatementQuery): Promise<StatementRow[]>;
  /** Every transaction of the party in the period that carries an X-Request-ID (providers: those that reached them). */
  requestStatuses(query: StatementQuery): AsyncIterable<RequestStatus>;
}
