import { readFileSync } from 'node:fs';

import type { LgspConfig } from '@lgsp/config';
import type { Logger } from '@lgsp/observability';

import type { ClientOptions, estypes } from '@elastic/elasticsearch';
import { Client, errors } from '@elastic/elasticsearch';
import pino from 'pino';

import type { ChainedDocument } from '../chain/hash-chain.util';
import type { BackoffOptions } from '../shipping/backoff.util';
import { backoffDelay, sleep } from '../shipping/backoff.util';
import { TRANSACTION_MAPPINGS } from '../shipping/ecs-mappings.constant';
import { decodeLedgerCursor, encodeLedgerCursor, InvalidLedgerCursorError } from './ledger-cursor.util';
import { LedgerStoreError, LedgerStoreErrorCode } from './ledger-store.error';
import type {
  AppendResult,
  ChainReader,
  LedgerQueries,
  LedgerScope,
  LedgerSearchPage,
  LedgerSearchQuery,
  LedgerWriter,
  RequestStatus,
  SignedHead,
  StatementQuery,
  StatementRow,
} from './ledger-store.type';

export const DEFAULT_DATA_STREAM = 'lgsp-transactions';
/**
 * Bumped whenever the template's body changes (TRANSACTION_MAPPINGS included); an older template
 * found at start-up is reported, never overwritten. 2: `lgsp.provider`, route, zone, classification.
 */
export const TRANSACTION_TEMPLATE_VERSION = 2;
/** Calendar days of reconciliation statements. */
export const STATEMENT_TIME_ZONE = 'Asia/Ho_Chi_Minh';
/** Page size of every scan (chain, heads, composite aggregations, point-in-time). */
export const SCAN_PAGE_SIZE = 1000;
const POINT_IN_TIME_KEEP_ALIVE = '1m';
const MAX_SEARCH_PAGE = 1000;

const keyword = { type: 'keyword' } as const;

/** The signed heads index: a plain index (not rolled over, not deleted by ILM), refusing any unplanned field. */
export const SIGNED_HEAD_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    partition: keyword,
    seq: { type: 'long' },
    hash: keyword,
    signedAt: { type: 'date' },
    // Kept for verification, never searched.
    jws: { type: 'keyword', index: false, doc_values: false },
  },
};

export interface ElasticsearchLedgerStoreOptions {
  /** The data stream (and index template) name. Default `lgsp-transactions`; heads go to `<dataStream>-heads`. */
  dataStream?: string;
  /** ILM policy name. Default `<dataStream>-policy`. */
  ilmPolicy?: string;
  /** Days a backing index is kept after its rollover before ILM deletes it. Default 365. */
  retentionDays?: number;
  /** Hot-phase rollover: whichever comes first. Defaults `30d` and `50gb`. */
  rollover?: { maxAge?: string; maxPrimaryShardSize?: string };
  /** Attempts of one request (a bulk with its retried items, a search page) before it gives up with `Unavailable`. Default 5. */
  maxAttempts?: number;
  /** Backoff between attempts. Default 200 ms doubling up to 5 s. */
  backoff?: BackoffOptions;
  logger?: Logger;
  /** Tests replace the wait between attempts. */
  sleep?: (ms: number) => Promise<void>;
}

export type ElasticsearchConfig = NonNullable<LgspConfig['ledger']['elasticsearch']>;

/**
 * The production client for `config.ledger.elasticsearch`: every node, an API key or basic auth, the
 * CA file for https. The client's own retries are off (`maxRetries: 0`): the store's loop decides what
 * is retried, so an item that was created is never sent again within one call.
 */
export function elasticsearchClientOf(config: ElasticsearchConfig, overrides: Partial<ClientOptions> = {}): Client {
  let auth: ClientOptions['auth'];
  if (config.apiKey !== undefined) auth = { apiKey: config.apiKey };
  else if (config.username !== undefined) auth = { username: config.username, password: config.password ?? '' };
  return new Client({
    nodes: [...config.nodes],
    ...(auth === undefined ? {} : { auth }),
    ...(config.caFile === undefined ? {} : { tls: { ca: readFileSync(config.caFile) } }),
    requestTimeout: 30_000,
    maxRetries: 0,
    ...overrides,
  });
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

export function isRetryableError(error: unknown): boolean {
  if (error instanceof errors.ResponseError) return isRetryableStatus(error.statusCode ?? 0);
  return (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError ||
    // A proxy in front of Elasticsearch answering HTML while it restarts.
    error instanceof errors.DeserializationError
  );
}

export function describeElasticsearchError(error: unknown): string {
  if (error instanceof errors.ResponseError) return `HTTP ${error.statusCode ?? '?'}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The ILM policy's body: rollover in the hot phase, deletion `retentionDays` after it. */
export function transactionIlmPolicy(retentionDays: number, rollover: ElasticsearchLedgerStoreOptions['rollover'] = {}): estypes.IlmPolicy {
  return {
    _meta: { managed_by: 'lgsp-ledger' },
    phases: {
      hot: { min_age: '0ms', actions: { rollover: { max_age: rollover.maxAge ?? '30d', max_primary_shard_size: rollover.maxPrimaryShardSize ?? '50gb' } } },
      delete: { min_age: `${retentionDays}d`, actions: { delete: {} } },
    },
  };
}

/** The index template's request (name aside): the data stream, its ILM policy and explicit mappings. */
export function transactionIndexTemplate(dataStream: string, ilmPolicy: string): Omit<estypes.IndicesPutIndexTemplateRequest, 'name' | 'create'> {
  return {
    index_patterns: [dataStream],
    data_stream: {},
    priority: 200,
    version: TRANSACTION_TEMPLATE_VERSION,
    _meta: { managed_by: 'lgsp-ledger', description: 'LGSP transaction ledger' },
    template: { settings: { 'index.lifecycle.name': ilmPolicy }, mappings: TRANSACTION_MAPPINGS },
  };
}

interface CreateOutcome<T> {
  created: number;
  duplicates: number;
  refused: { item: T; status: number; reason: string }[];
}

type Query = estypes.QueryDslQueryContainer;

function alreadyExists(error: unknown): boolean {
  if (!(error instanceof errors.ResponseError) || error.statusCode !== 400) return false;
  const body = error.body as { error?: { type?: string; reason?: string } } | undefined;
  return body?.error?.type === 'resource_already_exists_exception' || String(body?.error?.reason ?? '').includes('already exists');
}

function scopeFilter(scope: LedgerScope): Query {
  const consumers: Query | undefined = scope.consumerIds === undefined ? undefined : { terms: { 'lgsp.consumer.id': [...scope.consumerIds] } };
  const providers: Query | undefined = scope.providerIds === undefined ? undefined : { terms: { 'lgsp.provider.id': [...scope.providerIds] } };
  if (consumers !== undefined && providers !== undefined) return { bool: { should: [consumers, providers], minimum_should_match: 1 } };
  // A scope naming no list at all sees nothing: a caller limited to parties must name them.
  return consumers ?? providers ?? { match_none: {} };
}

const dayOf = new Intl.DateTimeFormat('en-CA', { timeZone: STATEMENT_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * The transaction ledger in an Elasticsearch data stream, through the official client.
 *
 * Writing is idempotent by transaction id: each document is a `create` with `_id` = its transaction
 * id, so a document sent twice is a 409, counted as a duplicate. A data stream's `create` only sees
 * its current backing index, though: after a rollover, a batch re-sent (after a restart, or after an
 * append that failed part-way) would be stored a second time. So the first append after either asks
 * the whole data stream which of the batch's ids it already holds, and leaves those out.
 */
export class ElasticsearchLedgerStore implements LedgerWriter, ChainReader, LedgerQueries {
  readonly dataStream: string;
  readonly ilmPolicy: string;
  readonly headsIndex: string;
  private readonly retentionDays: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly logger: Logger;
  private readonly wait: (ms: number) => Promise<void>;
  /** True at start (a restart may re-send) and after an append that threw, until an append succeeds. */
  private mayResend = true;

  constructor(
    private readonly client: Client,
    private readonly options: ElasticsearchLedgerStoreOptions = {},
    private readonly ownsClient = false,
  ) {
    this.dataStream = options.dataStream ?? DEFAULT_DATA_STREAM;
    this.ilmPolicy = options.ilmPolicy ?? `${this.dataStream}-policy`;
    this.headsIndex = `${this.dataStream}-heads`;
    this.retentionDays = options.retentionDays ?? 365;
    if (!Number.isInteger(this.retentionDays) || this.retentionDays < 1) {
      throw new RangeError(`retentionDays must be a whole number of days ≥ 1, got ${this.retentionDays}`);
    }
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.backoff = options.backoff ?? { initialMs: 200, maxMs: 5_000 };
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.wait = options.sleep ?? sleep;
  }

  /** Production path: the real client from `config.ledger` (its Elasticsearch block must be set). */
  static fromConfig(ledger: LgspConfig['ledger'], options: Omit<ElasticsearchLedgerStoreOptions, 'dataStream' | 'retentionDays'> = {}): ElasticsearchLedgerStore {
    if (ledger.elasticsearch === undefined) throw new RangeError('ledger.elasticsearch is not configured (ELASTICSEARCH_URL)');
    return new ElasticsearchLedgerStore(elasticsearchClientOf(ledger.elasticsearch), { ...options, dataStream: ledger.dataStream, retentionDays: ledger.retentionDays }, true);
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  /**
   * Creates the ILM policy, the index template, the data stream and the heads index when absent;
   * never overwrites what an operator may have tuned. Another replica creating one between our GET
   * and PUT is fine.
   */
  async ensureReady(): Promise<void> {
    try {
      if ((await this.found('ILM policy', () => this.client.ilm.getLifecycle({ name: this.ilmPolicy }))) === undefined) {
        await this.call('ILM policy', () => this.client.ilm.putLifecycle({ name: this.ilmPolicy, policy: transactionIlmPolicy(this.retentionDays, this.options.rollover) }));
        this.logger.info({ ilmPolicy: this.ilmPolicy, retentionDays: this.retentionDays }, 'ledger ILM policy created');
      }
      const templates = await this.found('index template', () => this.client.indices.getIndexTemplate({ name: this.dataStream }));
      if (templates === undefined) {
        await this.createUnlessExists('index template', () => this.client.indices.putIndexTemplate({ name: this.dataStream, create: true, ...transactionIndexTemplate(this.dataStream, this.ilmPolicy) }));
      } else {
        const version = templates.index_templates[0]?.index_template.version;
        if (version !== TRANSACTION_TEMPLATE_VERSION) {
          this.logger.warn({ template: this.dataStream, found: version, expected: TRANSACTION_TEMPLATE_VERSION }, 'ledger index template differs from this version: left as is');
        }
      }
      if ((await this.found('data stream', () => this.client.indices.getDataStream({ name: this.dataStream }))) === undefined) {
        await this.createUnlessExists('data stream', () => this.client.indices.createDataStream({ name: this.dataStream }));
      }
      if (!(await this.call('heads index', () => this.client.indices.exists({ index: this.headsIndex })))) {
        await this.createUnlessExists('heads index', () =>
          this.client.indices.create({ index: this.headsIndex, settings: { number_of_shards: 1 }, mappings: SIGNED_HEAD_MAPPINGS }),
        );
      }
    } catch (error) {
      const retryable = error instanceof LedgerStoreError ? error.retryable : isRetryableError(error);
      throw new LedgerStoreError(LedgerStoreErrorCode.SetupFailed, `ledger set-up failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error, retryable });
    }
  }

  /**
   * Bulk-creates the documents in order. Retries the items (or the whole request) that failed with
   * 429, 5xx or a connection error, with exponential backoff; a 409 is a duplicate; another 4xx is
   * rejected and returned. Throws a retryable `LedgerStoreError` when something is still
   * unacknowledged after the last attempt: the caller keeps the whole batch and sends it again.
   */
  async append(documents: readonly ChainedDocument[]): Promise<AppendResult> {
    const result: AppendResult = { created: 0, duplicates: 0, rejected: [] };
    if (documents.length === 0) return result;
    try {
      let pending = documents;
      if (this.mayResend) {
        const stored = await this.storedTransactionIds(documents.map((document) => document.transaction.id));
        if (stored.size > 0) {
          pending = documents.filter((document) => !stored.has(document.transaction.id));
          result.duplicates += documents.length - pending.length;
        }
      }
      const outcome = await this.createAll(this.dataStream, pending, (document) => document.transaction.id);
      result.created += outcome.created;
      result.duplicates += outcome.duplicates;
      result.rejected = outcome.refused.map(({ item, status, reason }) => ({ document: item, status, reason }));
    } catch (error) {
      this.mayResend = true;
      throw error;
    }
    this.mayResend = false;
    return result;
  }

  /** Stores signed heads (`_id` = partition:seq); one already stored is fine. Any refusal throws: heads are never dropped. */
  async appendHeads(heads: readonly SignedHead[]): Promise<void> {
    if (heads.length === 0) return;
    const outcome = await this.createAll(this.headsIndex, heads, (head) => `${head.partition}:${head.seq}`);
    if (outcome.refused.length > 0) {
      const [first] = outcome.refused;
      throw new LedgerStoreError(LedgerStoreErrorCode.RequestRefused, `${outcome.refused.length} signed heads refused (${first.status} ${first.reason})`);
    }
  }

  async partitions(from: Date, to: Date): Promise<string[]> {
    const partitions = new Set<string>();
    const inPeriod = (field: string): Query => ({ range: { [field]: { gte: from.toISOString(), lte: to.toISOString() } } });
    for await (const { key } of this.composite(this.dataStream, inPeriod('@timestamp'), [{ partition: { terms: { field: 'lgsp.chain.partition' } } }])) {
      partitions.add(String(key['partition']));
    }
    for await (const { key } of this.composite(this.headsIndex, inPeriod('signedAt'), [{ partition: { terms: { field: 'partition' } } }])) {
      partitions.add(String(key['partition']));
    }
    return [...partitions].sort();
  }

  /**
   * Every stored document of the partition in seq order. A seq stored twice (in two backing indices,
   * or under two transaction ids) comes out twice: the verifier decides what that means. `_index` then
   * `transaction.id` make the sort unique, so `search_after` never skips such a twin.
   */
  async *chain(partition: string, fromSeq: number, toSeq: number): AsyncIterable<ChainedDocument> {
    const query: Query = { bool: { filter: [{ term: { 'lgsp.chain.partition': partition } }, { range: { 'lgsp.chain.seq': { gte: fromSeq, lte: toSeq } } }] } };
    const sort: estypes.Sort = [{ 'lgsp.chain.seq': 'asc' }, { _index: 'asc' }, { 'transaction.id': 'asc' }];
    for await (const source of this.scan<ChainedDocument>(this.dataStream, query, sort)) yield source;
  }

  async heads(partition: string): Promise<SignedHead[]> {
    const heads: SignedHead[] = [];
    for await (const head of this.scan<SignedHead>(this.headsIndex, { term: { partition } }, [{ seq: 'asc' }])) heads.push(head);
    return heads;
  }

  async search(query: LedgerSearchQuery): Promise<LedgerSearchPage> {
    if (!Number.isInteger(query.size) || query.size < 1 || query.size > MAX_SEARCH_PAGE) {
      throw new LedgerStoreError(LedgerStoreErrorCode.InvalidQuery, `size: a whole number from 1 to ${MAX_SEARCH_PAGE}`);
    }
    let after: estypes.SortResults | undefined;
    if (query.cursor !== undefined) {
      // The SQL store's cursor: the last item's time and transaction id, the two sort values here.
      const cursor = decodeLedgerCursor(query.cursor);
      if (cursor === undefined) throw new InvalidLedgerCursorError();
      after = [cursor.receivedAt.getTime(), cursor.transactionId];
    }
    const filter: Query[] = [{ range: { '@timestamp': { gte: query.from.toISOString(), lt: query.to.toISOString() } } }];
    if (query.scope !== undefined) filter.push(scopeFilter(query.scope));
    const term = (field: string, value: string | number | undefined): void => {
      if (value !== undefined) filter.push({ term: { [field]: value } });
    };
    term('lgsp.consumer.id', query.consumerId);
    term('lgsp.provider.id', query.providerId);
    term('lgsp.api.domain', query.apiDomain);
    term('lgsp.api.version', query.apiVersion);
    term('http.response.status_code', query.status);
    if (query.statusClass !== undefined) filter.push({ range: { 'http.response.status_code': { gte: query.statusClass * 100, lt: (query.statusClass + 1) * 100 } } });
    term('error.code', query.errorCode);
    term('client.ip', query.clientIp);
    term('http.request.id', query.requestId);
    term('transaction.id', query.transactionId);
    if (query.securityEvent === true) filter.push({ exists: { field: 'lgsp.security_event' } });
    else term('lgsp.security_event', query.securityEvent);

    // One more than the page tells whether another page follows.
    const response = await this.found('search', () =>
      this.client.search<ChainedDocument>({
        index: this.dataStream,
        size: query.size + 1,
        track_total_hits: true,
        query: { bool: { filter } },
        sort: [{ '@timestamp': 'desc' }, { 'transaction.id': 'desc' }],
        ...(after === undefined ? {} : { search_after: after }),
      }),
    );
    if (response === undefined) return { total: 0, items: [] };
    const hits = response.hits.hits.slice(0, query.size);
    const total = response.hits.total;
    const page: LedgerSearchPage = { total: typeof total === 'number' ? total : (total?.value ?? 0), items: hits.map((hit) => hit._source as ChainedDocument) };
    const last = hits[hits.length - 1];
    if (response.hits.hits.length > query.size && last?._source !== undefined) {
      const time = last.sort?.[0];
      page.next = encodeLedgerCursor({ receivedAt: new Date(typeof time === 'number' ? time : last._source['@timestamp']), transactionId: last._source.transaction.id });
    }
    return page;
  }

  async statement(query: StatementQuery): Promise<StatementRow[]> {
    const rows: StatementRow[] = [];
    const sources: Record<string, estypes.AggregationsCompositeAggregationSource>[] = [
      { api_domain: { terms: { field: 'lgsp.api.domain', missing_bucket: true } } },
      { api_version: { terms: { field: 'lgsp.api.version', missing_bucket: true } } },
      { day: { date_histogram: { field: '@timestamp', calendar_interval: '1d', time_zone: STATEMENT_TIME_ZONE } } },
      { status_class: { histogram: { field: 'http.response.status_code', interval: 100 } } },
    ];
    for await (const { key, doc_count } of this.composite(this.dataStream, { bool: { filter: this.partyFilter(query) } }, sources)) {
      rows.push({
        // Refused before routing: no API.
        apiDomain: key['api_domain'] === null ? '-' : String(key['api_domain']),
        apiVersion: key['api_version'] === null ? '-' : String(key['api_version']),
        day: dayOf.format(new Date(Number(key['day']))),
        statusClass: `${Math.floor(Number(key['status_class']) / 100)}xx`,
        count: doc_count,
      });
    }
    return rows;
  }

  /**
   * Scans the party's transactions carrying an X-Request-ID under a point in time, so the pages are
   * one consistent snapshot while records keep arriving. A provider sees only those that reached it.
   */
  async *requestStatuses(query: StatementQuery): AsyncIterable<RequestStatus> {
    const filter = [...this.partyFilter(query), { exists: { field: 'http.request.id' } }];
    if (query.party.kind === 'provider') filter.push({ exists: { field: 'lgsp.upstream.started_at' } });
    const pit = await this.found('open point in time', () => this.client.openPointInTime({ index: this.dataStream, keep_alive: POINT_IN_TIME_KEEP_ALIVE }));
    if (pit === undefined) return;
    let id = pit.id;
    try {
      let after: estypes.SortResults | undefined;
      for (;;) {
        const pitId = id;
        const response = await this.call('request statuses', () =>
          this.client.search<Pick<ChainedDocument, 'transaction' | 'http'>>({
            size: SCAN_PAGE_SIZE,
            pit: { id: pitId, keep_alive: POINT_IN_TIME_KEEP_ALIVE },
            query: { bool: { filter } },
            _source: ['http.request.id', 'transaction.id', 'http.response.status_code'],
            sort: [{ _shard_doc: 'asc' }],
            ...(after === undefined ? {} : { search_after: after }),
          }),
        );
        id = response.pit_id ?? id;
        const hits = response.hits.hits;
        for (const hit of hits) {
          const source = hit._source;
          if (source?.http.request.id === undefined) continue;
          yield { requestId: source.http.request.id, transactionId: source.transaction.id, status: source.http.response.status_code };
        }
        if (hits.length < SCAN_PAGE_SIZE) return;
        after = hits[hits.length - 1].sort;
      }
    } finally {
      // Expires by itself after its keep-alive otherwise.
      await this.client.closePointInTime({ id }).catch((error: unknown) => this.logger.warn({ failure: describeElasticsearchError(error) }, 'ledger point in time not closed'));
    }
  }

  private partyFilter(query: StatementQuery): Query[] {
    return [
      { range: { '@timestamp': { gte: query.from.toISOString(), lt: query.to.toISOString() } } },
      { term: { [query.party.kind === 'consumer' ? 'lgsp.consumer.id' : 'lgsp.provider.id']: query.party.id } },
    ];
  }

  /** Which of these transaction ids the data stream holds in any backing index (not only the write index `create` checks). */
  private async storedTransactionIds(ids: readonly string[]): Promise<Set<string>> {
    const response = await this.found('stored ids', () => this.client.search({ index: this.dataStream, size: ids.length, _source: false, query: { ids: { values: [...ids] } } }));
    return new Set((response?.hits.hits ?? []).map((hit) => hit._id).filter((id): id is string => id !== undefined));
  }

  private async createAll<T extends object>(index: string, items: readonly T[], idOf: (item: T) => string): Promise<CreateOutcome<T>> {
    const outcome: CreateOutcome<T> = { created: 0, duplicates: 0, refused: [] };
    let pending = items;
    let lastFailure = '';
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= this.maxAttempts) {
        throw new LedgerStoreError(LedgerStoreErrorCode.Unavailable, `${pending.length} of ${items.length} documents unacknowledged by ${index} after ${attempt} attempts (${lastFailure})`);
      }
      if (attempt > 0) await this.wait(backoffDelay(attempt - 1, this.backoff));
      let response: estypes.BulkResponse;
      try {
        response = await this.client.bulk({ operations: pending.flatMap((item) => [{ create: { _index: index, _id: idOf(item) } }, item]) });
      } catch (error) {
        if (!isRetryableError(error)) {
          throw new LedgerStoreError(LedgerStoreErrorCode.RequestRefused, `bulk request to ${index} refused: ${describeElasticsearchError(error)}`, { cause: error });
        }
        lastFailure = describeElasticsearchError(error);
        this.logger.warn({ index, attempt: attempt + 1, documents: pending.length, failure: lastFailure }, 'ledger bulk request failed, retrying');
        continue;
      }
      if (response.items.length !== pending.length) {
        throw new LedgerStoreError(LedgerStoreErrorCode.Unavailable, `bulk answered ${response.items.length} items for ${pending.length} operations`);
      }
      const retry: T[] = [];
      response.items.forEach((entry, i) => {
        const item = entry.create;
        const status = item?.status ?? 500;
        if (status >= 200 && status < 300) outcome.created += 1;
        else if (status === 409) outcome.duplicates += 1;
        else if (isRetryableStatus(status)) retry.push(pending[i]);
        else outcome.refused.push({ item: pending[i], status, reason: `${item?.error?.type ?? 'error'}: ${item?.error?.reason ?? ''}` });
      });
      if (retry.length > 0) {
        lastFailure = `${retry.length} items 429/5xx`;
        this.logger.warn({ index, attempt: attempt + 1, retrying: retry.length }, 'ledger bulk items failed, retrying them');
      }
      pending = retry;
    }
    return outcome;
  }

  /** Every `_source` matching, in `sort` order (which must be unique per document), pages of SCAN_PAGE_SIZE. */
  private async *scan<T>(index: string, query: Query, sort: estypes.Sort): AsyncIterable<T> {
    let after: estypes.SortResults | undefined;
    for (;;) {
      const searchAfter = after;
      const response = await this.found(`scan ${index}`, () =>
        this.client.search<T>({ index, size: SCAN_PAGE_SIZE, query, sort, ...(searchAfter === undefined ? {} : { search_after: searchAfter }) }),
      );
      const hits = response?.hits.hits ?? [];
      for (const hit of hits) if (hit._source !== undefined) yield hit._source;
      if (hits.length < SCAN_PAGE_SIZE) return;
      after = hits[hits.length - 1].sort;
    }
  }

  /** Every bucket of a composite aggregation, following `after_key` until the last page. */
  private async *composite(index: string, query: Query, sources: Record<string, estypes.AggregationsCompositeAggregationSource>[]): AsyncIterable<estypes.AggregationsCompositeBucket> {
    let after: estypes.AggregationsCompositeAggregateKey | undefined;
    for (;;) {
      const afterKey = after;
      const response = await this.found(`aggregate ${index}`, () =>
        this.client.search({ index, size: 0, query, aggs: { groups: { composite: { size: SCAN_PAGE_SIZE, sources, ...(afterKey === undefined ? {} : { after: afterKey }) } } } }),
      );
      const groups = response?.aggregations?.['groups'] as estypes.AggregationsCompositeAggregate | undefined;
      const buckets = (groups?.buckets ?? []) as estypes.AggregationsCompositeBucket[];
      for (const bucket of buckets) yield bucket;
      if (buckets.length < SCAN_PAGE_SIZE || groups?.after_key === undefined) return;
      after = groups.after_key;
    }
  }

  /** Runs one request, retrying 429, 5xx and connection errors with backoff; anything else is refused at once. */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await this.wait(backoffDelay(attempt - 1, this.backoff));
      try {
        return await request();
      } catch (error) {
        const failure = describeElasticsearchError(error);
        if (!isRetryableError(error)) throw new LedgerStoreError(LedgerStoreErrorCode.RequestRefused, `${what} refused: ${failure}`, { cause: error });
        if (attempt + 1 >= this.maxAttempts) throw new LedgerStoreError(LedgerStoreErrorCode.Unavailable, `${what} failed after ${attempt + 1} attempts (${failure})`, { cause: error });
        this.logger.warn({ what, attempt: attempt + 1, failure }, 'ledger store request failed, retrying');
      }
    }
  }

  /** The answer, or undefined when the target does not exist (404). */
  private found<T>(what: string, request: () => Promise<T>): Promise<T | undefined> {
    return this.call(what, async () => {
      try {
        return await request();
      } catch (error) {
        if (error instanceof errors.ResponseError && error.statusCode === 404) return undefined;
        throw error;
      }
    });
  }

  private async createUnlessExists(what: string, request: () => Promise<unknown>): Promise<void> {
    try {
      await this.call(what, request);
      this.logger.info({ what, dataStream: this.dataStream }, 'ledger store: created');
    } catch (error) {
      // Another ledger replica created it between our GET and PUT.
      if (error instanceof LedgerStoreError && alreadyExists(error.cause)) return;
      throw error;
    }
  }
}
