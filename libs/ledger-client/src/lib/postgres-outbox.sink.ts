import { hostname } from 'node:os';

import type { TransactionRecord } from '@lgsp/contracts';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';

import type { TransactionSink } from './transaction-sink.type';

/** The little of a logger the sink uses (pino's shape). */
export interface OutboxSinkLogger {
  info(fields: object, message: string): void;
}

export interface PostgresOutboxSinkOptions {
  /** postgres://… — the sink opens (and closes) a pool of its own. */
  databaseUrl?: string;
  /** A pool the caller owns: used, never ended. */
  pool?: Pool;
  /** The partition's name starts with it: `${service}-${uuid v7}`. */
  service: 'gateway' | 'iam';
  /** A batch is committed at least this often. */
  flushIntervalMs: number;
  /** A batch this large is committed at once rather than waiting for the interval; one INSERT carries at most this many. */
  maxBatchRecords?: number;
  /** While PostgreSQL cannot be reached, at most this many records wait in memory; past it the oldest are dropped (counted in `dropped`). */
  maxQueuedRecords?: number;
  /** Called once per outage (the first failed write after a success), not once per failed flush. */
  onError?: (error: unknown) => void;
  /** Told when an outage ends, with what it cost. */
  logger?: OutboxSinkLogger;
}

export const OUTBOX_DEFAULT_MAX_BATCH_RECORDS = 2000;
/** About 60 MB of records of ~600 bytes: a minute of outage at 1,500 requests per second. */
export const OUTBOX_DEFAULT_MAX_QUEUED_RECORDS = 100_000;

const REGISTER_PARTITION = 'insert into ledger_outbox_partitions (partition, writer) values ($1, $2) on conflict (partition) do nothing';
// The whole batch in one statement. ON CONFLICT DO NOTHING: a batch retried after a commit whose
// answer was lost finds its rows there already (same partition, same seqs, same lines).
const INSERT_BATCH = 'insert into ledger_outbox (partition, seq, record) select $1, s, r from unnest($2::bigint[], $3::text[]) as b(s, r) on conflict do nothing';

/**
 * The cluster's outbox (LGSP_LEDGER_OUTBOX=postgres): a partition of the shared `ledger_outbox`
 * table per process, so a replica keeps nothing that must outlive it. `record` only serializes and
 * queues; a timer (or a full batch) commits the queue as one INSERT, one at a time, so the
 * partition's commit order is its seq order and a SIGKILL loses at most the last flush interval.
 *
 * Seqs are given to a batch when it is first sent, not when a record is queued: a batch once sent
 * may have been committed (its answer lost), so it keeps its seqs and lines until a retry succeeds,
 * and the records still waiting behind it have none yet. That is what lets the bounded queue drop
 * its oldest unsent records without ever leaving a gap in the partition, which the ledger would
 * otherwise wait on forever.
 *
 * The oldest are the ones dropped when PostgreSQL stays away past `maxQueuedRecords`: memory stays
 * bounded, and what is kept is the stretch just before the outage ends, the one an operator looks
 * at first; the loss is counted (`dropped`) and logged when the outage ends.
 */
export class PostgresOutboxSink implements TransactionSink {
  /** Unsent lines, oldest first, from `head` on (dropping advances `head`; sending compacts). */
  private queue: string[] = [];
  private head = 0;
  /** The batch sent and not yet known committed: its first seq and its lines. */
  private inFlight?: { firstSeq: number; lines: string[] };
  private nextSeq = 1;
  private accepted = 0;
  private droppedCount = 0;
  private droppedInOutage = 0;
  private registered = false;
  private outageSince?: number;
  private timer?: NodeJS.Timeout;
  private batchFlushScheduled = false;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly maxBatch: number;
  private readonly maxQueued: number;
  private readonly writer: string;

  private constructor(
    private readonly options: PostgresOutboxSinkOptions,
    readonly partition: string,
  ) {
    if (options.pool !== undefined) {
      this.pool = options.pool;
      this.ownsPool = false;
    } else if (options.databaseUrl !== undefined) {
      // One statement in flight at a time: one connection is all the sink ever uses.
      this.pool = new Pool({ connectionString: options.databaseUrl, max: 1, connectionTimeoutMillis: 5000, query_timeout: 10_000 });
      // An idle connection lost (a server restart) is reported by the next write.
      this.pool.on('error', () => undefined);
      this.pool.on('connect', (client) => client.on('error', () => undefined));
      this.ownsPool = true;
    } else {
      throw new Error('PostgresOutboxSink needs a databaseUrl or a pool');
    }
    this.maxBatch = options.maxBatchRecords ?? OUTBOX_DEFAULT_MAX_BATCH_RECORDS;
    this.maxQueued = Math.max(options.maxQueuedRecords ?? OUTBOX_DEFAULT_MAX_QUEUED_RECORDS, 1);
    this.writer = `${options.service} ${hostname()} pid ${process.pid}`;
  }

  /**
   * Opens a new partition. PostgreSQL unreachable does not stop the opening (a gateway starts and
   * serves during an outage): the partition is registered before its first batch instead.
   */
  static async open(options: PostgresOutboxSinkOptions): Promise<PostgresOutboxSink> {
    const sink = new PostgresOutboxSink(options, `${options.service}-${uuidv7()}`);
    try {
      await sink.register();
    } catch (error) {
      sink.failed(error);
    }
    sink.timer = setInterval(() => void sink.flush().catch(() => undefined), options.flushIntervalMs);
    sink.timer.unref();
    return sink;
  }

  /** Records accepted and neither committed nor dropped. */
  get pending(): number {
    return this.queue.length - this.head + (this.inFlight?.lines.length ?? 0);
  }

  /** Records dropped, oldest first, because PostgreSQL stayed away past `maxQueuedRecords`. */
  get dropped(): number {
    return this.droppedCount;
  }

  record(record: TransactionRecord): void {
    if (this.closed) return;
    this.queue.push(JSON.stringify(record));
    this.accepted += 1;
    if (this.pending > this.maxQueued) {
      this.queue[this.head] = '';
      this.head += 1;
      this.droppedCount += 1;
      this.droppedInOutage += 1;
      if (this.head >= this.maxQueued) this.compact();
    } else if (this.queue.length - this.head >= this.maxBatch && !this.batchFlushScheduled && this.outageSince === undefined) {
      // A full batch goes at once; during an outage only the timer retries.
      this.batchFlushScheduled = true;
      void this.flush().catch(() => undefined);
    }
  }

  /**
   * Resolves once every record handed so far is committed (or dropped); rejects, the records kept
   * for the next flush, when PostgreSQL refuses or cannot be reached.
   */
  flush(): Promise<void> {
    const target = this.accepted;
    const run = (): Promise<void> => this.writeUntil(target);
    // One write at a time, in order; a flush requested during a write runs after it, whatever its outcome.
    this.writing = this.writing.then(run, run);
    return this.writing;
  }

  /** Flushes (a failure is reported, the records lost with the process), then stops the timer and ends the pool it opened. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    try {
      await this.flush();
    } finally {
      this.closed = true;
      if (this.ownsPool) await this.pool.end();
    }
  }

  private async writeUntil(target: number): Promise<void> {
    this.batchFlushScheduled = false;
    // Records queued are the newest `queue.length - head` of those accepted; the batch in flight is older.
    while (this.inFlight !== undefined || this.accepted - (this.queue.length - this.head) < target) {
      if (this.inFlight === undefined) {
        const lines = this.queue.slice(this.head, this.head + this.maxBatch);
        this.head += lines.length;
        if (this.head * 2 >= this.queue.length) this.compact();
        this.inFlight = { firstSeq: this.nextSeq, lines };
        this.nextSeq += lines.length;
      }
      const batch = this.inFlight;
      try {
        if (!this.registered) await this.register();
        const seqs = batch.lines.map((_, i) => batch.firstSeq + i);
        await this.pool.query(INSERT_BATCH, [this.partition, seqs, batch.lines]);
      } catch (error) {
        this.failed(error);
        throw error;
      }
      this.inFlight = undefined;
      this.recovered();
    }
  }

  /** Forgets the lines before `head` (sent or dropped); amortized, so no record pays for a copy of the queue. */
  private compact(): void {
    this.queue = this.queue.slice(this.head);
    this.head = 0;
  }

  private async register(): Promise<void> {
    await this.pool.query(REGISTER_PARTITION, [this.partition, this.writer]);
    this.registered = true;
  }

  private failed(error: unknown): void {
    if (this.outageSince !== undefined) return;
    this.outageSince = Date.now();
    this.droppedInOutage = 0;
    this.options.onError?.(error);
  }

  private recovered(): void {
    if (this.outageSince === undefined) return;
    const outageMs = Date.now() - this.outageSince;
    this.outageSince = undefined;
    this.options.logger?.info(
      { event: { action: 'ledger-outbox-recovered', duration: outageMs * 1e6 }, lgsp: { partition: this.partition, dropped: this.droppedInOutage } },
      `ledger outbox reachable again after ${outageMs} ms; ${this.droppedInOutage} records dropped meanwhile (oldest first)`,
    );
    this.droppedInOutage = 0;
  }
}
