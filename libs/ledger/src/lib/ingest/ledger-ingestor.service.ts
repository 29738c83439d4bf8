import type { Logger } from '@lgsp/observability';

import pino from 'pino';

import type { ChainedDocument, ChainState } from '../chain/hash-chain.util';
import { chainDocument } from '../chain/hash-chain.util';
import type { HeadSigningKey } from '../chain/head-signer.util';
import { HeadSigner } from '../chain/head-signer.util';
import type { OutboxBatch, OutboxSource } from '../outbox/outbox-source.type';
import type { BackoffOptions } from '../shipping/backoff.util';
import { backoffDelay } from '../shipping/backoff.util';
import type { DeadLetter } from '../shipping/dead-letter.util';
import { appendDeadLetters } from '../shipping/dead-letter.util';
import { ecsDocumentOf } from '../shipping/ecs-document.util';
import type { AppendResult, LedgerWriter } from '../store/ledger-store.type';
import type { IngestObserver } from './ingest-observer.type';

export interface LedgerIngestorOptions {
  /** Outboxes read at once (segment directories, the PostgreSQL table), each by its own loop. */
  sources: readonly OutboxSource[];
  writer: LedgerWriter;
  /** Where refused documents and malformed lines are kept (`${dataDir}/ledger`). */
  deadLetterDir: string;
  /** Chain heads: the platform signing key, and the interval (LGSP_LEDGER_HEAD_INTERVAL_SECONDS). */
  heads?: { key: HeadSigningKey; intervalSeconds: number };
  observers?: readonly IngestObserver[];
  /** Wait between passes while everything is ingested. Default 1000 ms. */
  pollIntervalMs?: number;
  /** A batch holds at most this many records. Default 1000. */
  maxBatchRecords?: number;
  /** ... or this many bytes of outbox (one record may overshoot). Default 5 MiB. */
  maxBatchBytes?: number;
  /** Wait between passes while the store fails. Default 1 s doubling up to 60 s. */
  failureBackoff?: BackoffOptions;
  logger?: Logger;
  now?: () => Date;
}

/** Monotonic counters (since start) and gauges (after the last pass), for metrics. */
export interface LedgerIngestorCounters {
  /** Documents the store created. */
  shipped: number;
  /** Documents already stored (a batch re-read after a restart): counted as delivered. */
  duplicates: number;
  /** Documents refused for good and written to the dead letters (their seq stays in the chain). */
  rejected: number;
  /** Torn tails of older segments passed over. */
  tornLines: number;
  /** Complete outbox lines that were not a record, written to the dead letters. */
  malformed: number;
  batches: number;
  /** Passes that stopped on an error (store down, file error). */
  failures: number;
  consecutiveFailures: number;
  /** Chain heads signed and stored. */
  heads: number;
  headFailures: number;
  /** Gauge: bytes in the outboxes not yet acknowledged (files). */
  lagBytes: number;
  /** Gauge: segments holding them (files). */
  lagSegments: number;
  /** Gauge: records not yet acknowledged (PostgreSQL outbox). */
  lagRecords: number;
  /** Gauge: age in seconds of the oldest record not yet acknowledged, where the outbox knows it (PostgreSQL). */
  lagOldestSeconds?: number;
  lastShippedAt?: string;
  lastHeadAt?: string;
  lastError?: string;
}

export interface IngestPassResult {
  /** Records acknowledged this pass (created, duplicates and rejected). */
  acknowledged: number;
  failed: boolean;
}

const EMPTY_RESULT: AppendResult = { created: 0, duplicates: 0, rejected: [] };

/**
 * The ledger's pipeline: outbox batch → ECS document → hash chain (from the batch's chain state, in
 * order) → store → dead letters → observers → acknowledgement of the outbox with the new chain state.
 * Nothing is acknowledged before the store has acknowledged it, so while the store is down the outboxes
 * keep everything and drain once it is back; a restart before an acknowledgement rebuilds the same
 * chain, which the store counts as duplicates.
 */
export class LedgerIngestor {
  private readonly counters: LedgerIngestorCounters = {
    shipped: 0,
    duplicates: 0,
    rejected: 0,
    tornLines: 0,
    malformed: 0,
    batches: 0,
    failures: 0,
    consecutiveFailures: 0,
    heads: 0,
    headFailures: 0,
    lagBytes: 0,
    lagSegments: 0,
    lagRecords: 0,
  };
  private readonly logger: Logger;
  private readonly limits: { maxRecords: number; maxBytes: number };
  private readonly pollIntervalMs: number;
  private readonly failureBackoff: BackoffOptions;
  private readonly headSigner?: HeadSigner;
  private ready = false;
  private running = false;
  private stopping = false;
  private timer?: NodeJS.Timeout;
  private headTimer?: NodeJS.Timeout;
  private passes: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LedgerIngestorOptions) {
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.limits = { maxRecords: options.maxBatchRecords ?? 1_000, maxBytes: options.maxBatchBytes ?? 5 * 1024 * 1024 };
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.failureBackoff = options.failureBackoff ?? { initialMs: 1_000, maxMs: 60_000 };
    if (options.heads !== undefined) this.headSigner = new HeadSigner(options.heads.key, options.writer, options.now);
  }

  get metrics(): Readonly<LedgerIngestorCounters> {
    return { ...this.counters };
  }

  /** Polls until `stop()`: every `pollIntervalMs`, or with growing backoff while passes fail; signs heads every interval. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
    if (this.options.heads !== undefined) {
      this.headTimer = setInterval(() => void this.signHeads(), this.options.heads.intervalSeconds * 1_000);
      this.headTimer.unref();
    }
  }

  /** Stops polling; the batch in flight finishes (and is acknowledged), the rest waits; then one last head. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    clearTimeout(this.timer);
    clearInterval(this.headTimer);
    await this.passes;
    this.stopping = false;
    await this.signHeads();
  }

  /** One pass: every source drained of what is complete, sources side by side; passes never overlap. */
  runOnce(): Promise<IngestPassResult> {
    const pass = this.passes.then(() => this.pass());
    this.passes = pass.catch(() => undefined);
    return pass;
  }

  /** Signs the heads of partitions that advanced (also run by the interval and by `stop`). */
  async signHeads(): Promise<number> {
    if (this.headSigner === undefined) return 0;
    try {
      const heads = await this.headSigner.signAdvanced();
      if (heads.length > 0) {
        this.counters.heads += heads.length;
        this.counters.lastHeadAt = heads[0].signedAt;
      }
      return heads.length;
    } catch (error) {
      this.counters.headFailures += 1;
      this.logger.error({ err: error }, 'ledger chain heads not stored; signed again at the next interval');
      return 0;
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.runOnce().then((result) => {
        if (!this.running) return;
        this.schedule(result.failed ? backoffDelay(this.counters.consecutiveFailures - 1, this.failureBackoff) : this.pollIntervalMs);
      });
    }, delayMs);
  }

  private async pass(): Promise<IngestPassResult> {
    let acknowledged = 0;
    let failure: unknown;
    try {
      if (!this.ready) {
        await this.options.writer.ensureReady();
        this.ready = true;
      }
      const drained = await Promise.allSettled(this.options.sources.map((source) => this.drain(source, (n) => (acknowledged += n))));
      failure = drained.find((result) => result.status === 'rejected')?.reason;
    } catch (error) {
      failure = error;
    }
    await this.measureLag();
    if (failure !== undefined) {
      this.counters.failures += 1;
      this.counters.consecutiveFailures += 1;
      this.counters.lastError = failure instanceof Error ? failure.message : String(failure);
      this.logger.error({ err: failure, consecutiveFailures: this.counters.consecutiveFailures }, 'ledger ingest pass failed; the outbox keeps every record');
      return { acknowledged, failed: true };
    }
    this.counters.consecutiveFailures = 0;
    return { acknowledged, failed: false };
  }

  private async drain(source: OutboxSource, acknowledged: (n: number) => void): Promise<void> {
    while (!this.stopping) {
      const batch = await source.next(this.limits);
      if (batch === undefined) return;
      acknowledged(await this.ingest(batch));
    }
  }

  /** Chains, stores, keeps what was refused, tells the observers, then — and only then — acknowledges. */
  private async ingest(batch: OutboxBatch): Promise<number> {
    let state: ChainState = batch.chain;
    const documents: ChainedDocument[] = [];
    for (const record of batch.records) {
      const chained = chainDocument(ecsDocumentOf(record), batch.partition, state);
      documents.push(chained.document);
      state = chained.state;
    }
    const result = documents.length === 0 ? EMPTY_RESULT : await this.options.writer.append(documents);
    const at = (this.options.now?.() ?? new Date()).toISOString();
    const letters: DeadLetter[] = batch.malformed.map((line) => ({ kind: 'malformed', at, partition: batch.partition, line }));
    for (const rejection of result.rejected) {
      letters.push({ kind: 'rejected', at, partition: batch.partition, status: rejection.status, reason: rejection.reason, document: rejection.document });
      const chain = rejection.document.lgsp.chain;
      this.logger.error({ partition: chain.partition, seq: chain.seq, transactionId: rejection.document.transaction.id, status: rejection.status, reason: rejection.reason }, 'ledger document refused; kept in the dead letters');
    }
    await appendDeadLetters(this.options.deadLetterDir, letters);
    if (documents.length > 0) await this.notify(result.rejected.length === 0 ? documents : documents.filter((d) => !result.rejected.some((r) => r.document === d)));
    await batch.commit(state);
    this.headSigner?.committed(batch.partition, state);
    this.counters.shipped += result.created;
    this.counters.duplicates += result.duplicates;
    this.counters.rejected += result.rejected.length;
    this.counters.malformed += batch.malformed.length;
    this.counters.tornLines += batch.tornLines;
    if (documents.length > 0) {
      this.counters.batches += 1;
      this.counters.lastShippedAt = at;
    }
    return documents.length;
  }

  private async notify(documents: readonly ChainedDocument[]): Promise<void> {
    if (documents.length === 0) return;
    for (const observer of this.options.observers ?? []) {
      try {
        await observer.ingested(documents);
      } catch (error) {
        this.logger.warn({ err: error }, 'ledger ingest observer failed');
      }
    }
  }

  private async measureLag(): Promise<void> {
    let bytes = 0;
    let segments = 0;
    let records = 0;
    let oldest: number | undefined;
    for (const source of this.options.sources) {
      try {
        const lag = await source.lag();
        bytes += lag.bytes ?? 0;
        segments += lag.segments ?? 0;
        records += lag.records ?? 0;
        if (lag.oldestSeconds !== undefined) oldest = Math.max(oldest ?? 0, lag.oldestSeconds);
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox lag not measured');
      }
    }
    this.counters.lagBytes = bytes;
    this.counters.lagSegments = segments;
    this.counters.lagRecords = records;
    this.counters.lagOldestSeconds = oldest;
  }
}
