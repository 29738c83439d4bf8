import type { TransactionRecord } from '@lgsp/contracts';
import type { Logger } from '@lgsp/observability';

import type { ClientOptions, estypes } from '@elastic/elasticsearch';
import { Client, errors } from '@elastic/elasticsearch';
import pino from 'pino';

import type { BackoffOptions } from './backoff.util';
import { backoffDelay, sleep } from './backoff.util';
import { ecsDocumentOf } from './ecs-document.util';
import { TRANSACTION_MAPPINGS } from './ecs-mappings.constant';
import { LedgerShippingError, LedgerShippingErrorCode } from './ledger-shipping.error';

export const DEFAULT_DATA_STREAM = 'lgsp-transactions';
/** Bumped whenever the template's body changes; an older template found at start-up is reported. */
export const TRANSACTION_TEMPLATE_VERSION = 1;

export interface ElasticsearchLedgerOptions {
  /** The data stream (and index template) name. Default `lgsp-transactions`. */
  dataStream?: string;
  /** ILM policy name. Default `<dataStream>-policy`. */
  ilmPolicy?: string;
  /** Days a backing index is kept after its rollover before ILM deletes it. Default 365. */
  retentionDays?: number;
  /** Hot-phase rollover: whichever comes first. Defaults `30d` and `50gb`. */
  rollover?: { maxAge?: string; maxPrimaryShardSize?: string };
  /** Bulk attempts for one `ship` call before it gives up with `Unavailable`. Default 5. */
  maxAttempts?: number;
  /** Backoff between attempts. Default 200 ms doubling up to 5 s. */
  backoff?: BackoffOptions;
  logger?: Logger;
  /** Tests replace the wait between attempts. */
  sleep?: (ms: number) => Promise<void>;
}

export interface RejectedRecord {
  record: TransactionRecord;
  /** The item's HTTP status (a 4xx other than 409 and 429). */
  status: number;
  errorType?: string;
  reason?: string;
}

export interface ShipResult {
  /** Created now. */
  created: number;
  /** 409: a document with this transaction id is already there — delivered earlier. */
  conflicts: number;
  /** Refused for good; the caller keeps them (dead letter), they are not retried. */
  rejected: RejectedRecord[];
  /** Bulk requests sent for this call. */
  requests: number;
}

/** Where the shipper delivers; `ElasticsearchLedger` in production, a fake in a few unit tests. */
export interface LedgerTarget {
  ensureSetup(): Promise<void>;
  ship(records: readonly TransactionRecord[]): Promise<ShipResult>;
}

interface PendingItem {
  record: TransactionRecord;
  document: object;
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

function isRetryableError(error: unknown): boolean {
  if (error instanceof errors.ResponseError) return isRetryableStatus(error.statusCode ?? 0);
  return (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError ||
    // A proxy in front of Elasticsearch answering HTML while it restarts.
    error instanceof errors.DeserializationError
  );
}

function describe(error: unknown): string {
  if (error instanceof errors.ResponseError) return `HTTP ${error.statusCode ?? '?'}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The transaction ledger in an Elasticsearch data stream, through the official client. Delivery is
 * idempotent: every record is a `create` keyed by its transaction id, so a record sent twice (the
 * shipper re-sends its last unacknowledged batch after a crash) is a 409, counted as delivered.
 *
 * The client's own retries are turned off per request: this class retries only the failed items, so
 * an item that was created is never sent again within one call.
 */
export class ElasticsearchLedger implements LedgerTarget {
  readonly dataStream: string;
  readonly ilmPolicy: string;
  private readonly retentionDays: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly logger: Logger;
  private readonly wait: (ms: number) => Promise<void>;

  constructor(
    private readonly client: Client,
    private readonly options: ElasticsearchLedgerOptions = {},
    private readonly ownsClient = false,
  ) {
    this.dataStream = options.dataStream ?? DEFAULT_DATA_STREAM;
    this.ilmPolicy = options.ilmPolicy ?? `${this.dataStream}-policy`;
    this.retentionDays = options.retentionDays ?? 365;
    if (!Number.isInteger(this.retentionDays) || this.retentionDays < 1) {
      throw new RangeError(`retentionDays must be a whole number of days ≥ 1, got ${this.retentionDays}`);
    }
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.backoff = options.backoff ?? { initialMs: 200, maxMs: 5_000 };
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.wait = options.sleep ?? sleep;
  }

  /** Production path: the real client for `url` (e.g. ELASTICSEARCH_URL read by the app's config). */
  static fromUrl(url: string, options: ElasticsearchLedgerOptions = {}, clientOptions: Omit<ClientOptions, 'node' | 'nodes'> = {}): ElasticsearchLedger {
    return new ElasticsearchLedger(new Client({ ...clientOptions, node: url }), options, true);
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  /** The ILM policy's body: rollover in the hot phase, deletion after the retention. */
  ilmPolicyBody(): estypes.IlmPolicy {
    return {
      _meta: { managed_by: 'lgsp-ledger' },
      phases: {
        hot: {
          min_age: '0ms',
          actions: {
            rollover: {
              max_age: this.options.rollover?.maxAge ?? '30d',
              max_primary_shard_size: this.options.rollover?.maxPrimaryShardSize ?? '50gb',
            },
          },
        },
        delete: { min_age: `${this.retentionDays}d`, actions: { delete: {} } },
      },
    };
  }

  /** The index template's request (name aside): the data stream, its ILM policy and explicit mappings. */
  indexTemplateBody(): Omit<estypes.IndicesPutIndexTemplateRequest, 'name' | 'create'> {
    return {
      index_patterns: [this.dataStream],
      data_stream: {},
      priority: 200,
      version: TRANSACTION_TEMPLATE_VERSION,
      _meta: { managed_by: 'lgsp-ledger', description: 'LGSP transaction ledger' },
      template: {
        settings: { 'index.lifecycle.name': this.ilmPolicy },
        mappings: TRANSACTION_MAPPINGS,
      },
    };
  }

  /**
   * Creates the ILM policy and the index template if absent; never overwrites what an operator may
   * have tuned. The data stream itself is created by the first `create`.
   */
  async ensureSetup(): Promise<void> {
    try {
      if (!(await this.found(() => this.client.ilm.getLifecycle({ name: this.ilmPolicy }, { maxRetries: 0 })))) {
        await this.client.ilm.putLifecycle({ name: this.ilmPolicy, policy: this.ilmPolicyBody() }, { maxRetries: 0 });
        this.logger.info({ ilmPolicy: this.ilmPolicy, retentionDays: this.retentionDays }, 'ledger ILM policy created');
      }
      const templates = await this.found(() => this.client.indices.getIndexTemplate({ name: this.dataStream }, { maxRetries: 0 }));
      if (templates === undefined) {
        await this.createTemplate();
      } else {
        const version = templates.index_templates[0]?.index_template.version;
        if (version !== TRANSACTION_TEMPLATE_VERSION) {
          this.logger.warn({ template: this.dataStream, found: version, expected: TRANSACTION_TEMPLATE_VERSION }, 'ledger index template differs from this version: left as is');
        }
      }
    } catch (error) {
      throw new LedgerShippingError(LedgerShippingErrorCode.SetupFailed, `ledger set-up failed: ${describe(error)}`, { cause: error });
    }
  }

  /**
   * Bulk-creates the records in order. Retries the items (or the whole request) that failed with
   * 429, 5xx or a connection error, with exponential backoff; a 409 is delivered; another 4xx is
   * rejected and returned. Throws `LedgerShippingError` when something is still unacknowledged after
   * the last attempt: the caller must then keep the whole batch and send it again later.
   */
  async ship(records: readonly TransactionRecord[]): Promise<ShipResult> {
    const result: ShipResult = { created: 0, conflicts: 0, rejected: [], requests: 0 };
    let pending: PendingItem[] = records.map((record) => ({ record, document: ecsDocumentOf(record) }));
    let lastFailure = '';
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= this.maxAttempts) {
        throw new LedgerShippingError(LedgerShippingErrorCode.Unavailable, `${pending.length} of ${records.length} records unacknowledged after ${attempt} attempts (${lastFailure})`);
      }
      if (attempt > 0) await this.wait(backoffDelay(attempt - 1, this.backoff));
      result.requests += 1;
      let response: estypes.BulkResponse;
      try {
        response = await this.client.bulk(
          { operations: pending.flatMap((item) => [{ create: { _index: this.dataStream, _id: item.record.transactionId } }, item.document]) },
          { maxRetries: 0 },
        );
      } catch (error) {
        if (!isRetryableError(error)) {
          throw new LedgerShippingError(LedgerShippingErrorCode.RequestRefused, `bulk request refused: ${describe(error)}`, { cause: error });
        }
        lastFailure = describe(error);
        this.logger.warn({ attempt: attempt + 1, records: pending.length, failure: lastFailure }, 'ledger bulk request failed, retrying');
        continue;
      }
      if (response.items.length !== pending.length) {
        throw new LedgerShippingError(LedgerShippingErrorCode.Unavailable, `bulk answered ${response.items.length} items for ${pending.length} operations`);
      }
      const retry: PendingItem[] = [];
      response.items.forEach((entry, index) => {
        const item = entry.create;
        const status = item?.status ?? 500;
        if (status >= 200 && status < 300) result.created += 1;
        else if (status === 409) result.conflicts += 1;
        else if (isRetryableStatus(status)) retry.push(pending[index]);
        else result.rejected.push({ record: pending[index].record, status, errorType: item?.error?.type, reason: item?.error?.reason ?? undefined });
      });
      if (retry.length > 0) {
        lastFailure = `${retry.length} items 429/5xx`;
        this.logger.warn({ attempt: attempt + 1, retrying: retry.length }, 'ledger bulk items failed, retrying them');
      }
      pending = retry;
    }
    return result;
  }

  /** The answer, or undefined on a 404. */
  private async found<T>(request: () => Promise<T>): Promise<T | undefined> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof errors.ResponseError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  private async createTemplate(): Promise<void> {
    try {
      await this.client.indices.putIndexTemplate({ name: this.dataStream, create: true, ...this.indexTemplateBody() }, { maxRetries: 0 });
      this.logger.info({ template: this.dataStream }, 'ledger index template created');
    } catch (error) {
      // Another ledger replica created it between our GET and PUT.
      const reason = error instanceof errors.ResponseError ? String(error.body?.error?.reason ?? '') : '';
      if (error instanceof errors.ResponseError && error.statusCode === 400 && reason.includes('already exists')) return;
      throw error;
    }
  }
}
