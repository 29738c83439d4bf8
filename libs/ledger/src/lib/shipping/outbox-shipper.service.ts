import { unlink } from 'node:fs/promises';
import { join } from 'node:path';

import type { TransactionRecord } from '@lgsp/contracts';
import { segmentName } from '@lgsp/ledger-client';
import type { Logger } from '@lgsp/observability';

import pino from 'pino';

import type { BackoffOptions } from './backoff.util';
import { backoffDelay } from './backoff.util';
import type { DeadLetter } from './dead-letter.util';
import { appendDeadLetters } from './dead-letter.util';
import type { LedgerTarget } from './elasticsearch-ledger.service';
import type { OutboxCursor } from './outbox-cursor.util';
import { compareCursors, readCursor, writeCursor } from './outbox-cursor.util';
import { listSegments, outboxLag, readOutbox } from './outbox-reader.util';

export interface OutboxShipperOptions {
  /** Outbox directories to tail (the gateway's, IAM's, ...); one shipper per directory at a time. */
  directories: readonly string[];
  target: LedgerTarget;
  /** Wait between passes while everything ships. Default 1000 ms. */
  pollIntervalMs?: number;
  /** A batch is shipped once it holds this many records. Default 1000. */
  maxBatchRecords?: number;
  /** ... or this many bytes of NDJSON (one record may overshoot). Default 5 MiB. */
  maxBatchBytes?: number;
  /** Delete a closed segment once every line of it is shipped. Default false: keep. */
  deleteShippedSegments?: boolean;
  /** Wait between passes while the target fails. Default 1 s doubling up to 60 s. */
  failureBackoff?: BackoffOptions;
  logger?: Logger;
}

/** Monotonic counters (since start) and gauges (after the last pass), for metrics. */
export interface OutboxShipperCounters {
  /** Records Elasticsearch created. */
  shipped: number;
  /** Records answered 409: already there, counted as delivered. */
  conflicts: number;
  /** Records refused for good and written to the dead-letter file. */
  rejected: number;
  /** Torn tails of older segments passed over. */
  tornLines: number;
  /** Complete lines that were not JSON, written to the dead-letter file. */
  malformedLines: number;
  batches: number;
  /** Passes that stopped on an error (target down, set-up failed, file error). */
  failures: number;
  consecutiveFailures: number;
  /** Gauge: bytes written to the outboxes and not yet shipped. */
  lagBytes: number;
  /** Gauge: segments holding unshipped bytes. */
  backlogSegments: number;
  lastShippedAt?: string;
  lastError?: string;
}

export interface ShipperPassResult {
  /** Records acknowledged this pass (created, conflicts and rejected). */
  acknowledged: number;
  failed: boolean;
}

interface Batch {
  records: TransactionRecord[];
  bytes: number;
  torn: number;
  malformed: string[];
  end?: OutboxCursor;
}

function emptyBatch(): Batch {
  return { records: [], bytes: 0, torn: 0, malformed: [] };
}

/**
 * Ships outbox segments to the ledger. Per directory a durable cursor marks the end of the last line
 * Elasticsearch acknowledged; it is replaced only after the acknowledgement (and after any dead
 * letters are synced), so a crash re-sends at most the batch in flight, which then answers 409.
 * While the target is down nothing moves: the segments keep growing and drain when it is back.
 */
export class OutboxShipper {
  private readonly counters: OutboxShipperCounters = {
    shipped: 0,
    conflicts: 0,
    rejected: 0,
    tornLines: 0,
    malformedLines: 0,
    batches: 0,
    failures: 0,
    consecutiveFailures: 0,
    lagBytes: 0,
    backlogSegments: 0,
  };
  private readonly lag = new Map<string, { bytes: number; segments: number }>();
  private readonly logger: Logger;
  private readonly pollIntervalMs: number;
  private readonly maxBatchRecords: number;
  private readonly maxBatchBytes: number;
  private readonly failureBackoff: BackoffOptions;
  private setUp = false;
  private running = false;
  private stopping = false;
  private timer?: NodeJS.Timeout;
  private passes: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: OutboxShipperOptions) {
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.maxBatchRecords = options.maxBatchRecords ?? 1_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 5 * 1024 * 1024;
    this.failureBackoff = options.failureBackoff ?? { initialMs: 1_000, maxMs: 60_000 };
  }

  get metrics(): Readonly<OutboxShipperCounters> {
    return { ...this.counters };
  }

  /** Polls until `stop()`: every `pollIntervalMs`, or with growing backoff while passes fail. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops polling; the batch in flight finishes (and its cursor is written), the rest waits. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    clearTimeout(this.timer);
    await this.passes;
    this.stopping = false;
  }

  /** One pass over every directory, shipping everything complete; passes never overlap. */
  runOnce(): Promise<ShipperPassResult> {
    const pass = this.passes.then(() => this.pass());
    this.passes = pass.catch(() => undefined);
    return pass;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.runOnce().then((result) => {
        if (!this.running) return;
        this.schedule(result.failed ? backoffDelay(this.counters.consecutiveFailures - 1, this.failureBackoff) : this.pollIntervalMs);
      });
    }, delayMs);
  }

  private async pass(): Promise<ShipperPassResult> {
    let acknowledged = 0;
    try {
      if (!this.setUp) {
        await this.options.target.ensureSetup();
        this.setUp = true;
      }
      for (const dir of this.options.directories) {
        if (this.stopping) break;
        acknowledged += await this.shipDirectory(dir);
      }
    } catch (error) {
      this.counters.failures += 1;
      this.counters.consecutiveFailures += 1;
      this.counters.lastError = error instanceof Error ? error.message : String(error);
      this.logger.error({ err: error, consecutiveFailures: this.counters.consecutiveFailures }, 'ledger shipping pass failed; the outbox keeps every record');
      await this.measureLag();
      return { acknowledged, failed: true };
    }
    this.counters.consecutiveFailures = 0;
    await this.measureLag();
    return { acknowledged, failed: false };
  }

  private async shipDirectory(dir: string): Promise<number> {
    const cursor = await readCursor(dir);
    let acknowledged = 0;
    let batch = emptyBatch();
    const reader = readOutbox(dir, cursor, Math.max(64 * 1024, Math.min(this.maxBatchBytes, 4 << 20)));
    for await (const item of reader) {
      batch.end = item.end;
      if (item.kind === 'record') {
        batch.records.push(item.record);
        batch.bytes += item.bytes;
      } else if (item.kind === 'torn') {
        batch.torn += 1;
        this.logger.warn({ dir, segment: item.segment, bytes: item.bytes }, 'torn last line of an older outbox segment skipped');
      } else if (item.kind === 'malformed') {
        batch.malformed.push(item.line);
      }
      if (batch.records.length >= this.maxBatchRecords || batch.bytes >= this.maxBatchBytes) {
        acknowledged += await this.commit(dir, batch);
        batch = emptyBatch();
        if (this.stopping) break;
      }
    }
    if (batch.end !== undefined && compareCursors(batch.end, cursor) > 0) acknowledged += await this.commit(dir, batch);
    return acknowledged;
  }

  /** Ships a batch, keeps what was refused, then — and only then — moves the cursor past it. */
  private async commit(dir: string, batch: Batch): Promise<number> {
    const at = new Date().toISOString();
    const letters: DeadLetter[] = batch.malformed.map((line) => ({ kind: 'malformed', at, line }));
    let acknowledged = 0;
    if (batch.records.length > 0) {
      const result = await this.options.target.ship(batch.records);
      this.counters.shipped += result.created;
      this.counters.conflicts += result.conflicts;
      this.counters.rejected += result.rejected.length;
      this.counters.batches += 1;
      this.counters.lastShippedAt = at;
      for (const rejected of result.rejected) {
        letters.push({ kind: 'rejected', at, status: rejected.status, errorType: rejected.errorType, reason: rejected.reason, record: rejected.record });
        this.logger.error({ dir, transactionId: rejected.record.transactionId, status: rejected.status, errorType: rejected.errorType }, 'ledger record rejected; kept in the dead-letter file');
      }
      acknowledged = batch.records.length;
    }
    await appendDeadLetters(dir, letters);
    await writeCursor(dir, batch.end!);
    this.counters.tornLines += batch.torn;
    this.counters.malformedLines += batch.malformed.length;
    if (this.options.deleteShippedSegments) await this.deleteShipped(dir, batch.end!);
    return acknowledged;
  }

  private async deleteShipped(dir: string, cursor: OutboxCursor): Promise<void> {
    for (const segment of await listSegments(dir)) {
      if (segment >= cursor.segment) break;
      await unlink(join(dir, segmentName(segment)));
      this.logger.info({ dir, segment }, 'shipped outbox segment deleted');
    }
  }

  private async measureLag(): Promise<void> {
    for (const dir of this.options.directories) {
      try {
        this.lag.set(dir, await outboxLag(dir, await readCursor(dir)));
      } catch (error) {
        this.logger.warn({ err: error, dir }, 'outbox lag not measured');
      }
    }
    let bytes = 0;
    let segments = 0;
    for (const lag of this.lag.values()) {
      bytes += lag.bytes;
      segments += lag.segments;
    }
    this.counters.lagBytes = bytes;
    this.counters.backlogSegments = segments;
  }
}
