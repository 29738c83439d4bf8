import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { TransactionRecord } from '@lgsp/contracts';

import type { TransactionSink } from './transaction-sink.type';

export interface SegmentFileSinkOptions {
  /** Directory of the segment files (created if absent). */
  dir: string;
  /** A batch is written and fdatasync'ed at least this often. */
  flushIntervalMs: number;
  /** A segment is closed and the next one started once it reaches this size. */
  segmentBytes: number;
  /** A batch this large is written at once rather than waiting for the interval. */
  maxBatchRecords?: number;
  /** Called with a write error; the batch stays queued and is retried on the next flush. */
  onError?: (error: unknown) => void;
}

export const SEGMENT_PATTERN = /^segment-(\d{12})\.ndjson$/;

export function segmentName(sequence: number): string {
  return `segment-${String(sequence).padStart(12, '0')}.ndjson`;
}

/**
 * The embedded default's outbox: newline-delimited JSON in numbered segment files, appended in
 * batches and fdatasync'ed, so a crash loses at most one flush interval. Every start opens a new
 * segment, so nothing is ever appended after a line a crash may have torn. The ledger service
 * ships closed and open segments alike and reads a torn last line as absent.
 */
export class SegmentFileSink implements TransactionSink {
  private queue: string[] = [];
  private file?: FileHandle;
  private fileBytes = 0;
  private sequence = 0;
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly maxBatch: number;

  private constructor(private readonly options: SegmentFileSinkOptions) {
    this.maxBatch = options.maxBatchRecords ?? 2000;
  }

  static async open(options: SegmentFileSinkOptions): Promise<SegmentFileSink> {
    const sink = new SegmentFileSink(options);
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const existing = (await readdir(options.dir)).map((name) => SEGMENT_PATTERN.exec(name)).filter((m) => m !== null);
    sink.sequence = existing.reduce((max, m) => Math.max(max, Number(m[1])), 0);
    await sink.startSegment();
    sink.timer = setInterval(() => void sink.flush(), options.flushIntervalMs);
    sink.timer.unref();
    return sink;
  }

  get pending(): number {
    return this.queue.length;
  }

  get currentSegment(): string {
    return join(this.options.dir, segmentName(this.sequence));
  }

  record(record: TransactionRecord): void {
    if (this.closed) return;
    this.queue.push(JSON.stringify(record));
    if (this.queue.length >= this.maxBatch) void this.flush();
  }

  flush(): Promise<void> {
    // One write at a time, in order; a flush requested during a write runs after it.
    this.writing = this.writing.then(() => this.writeQueued());
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.closed) return this.writing;
    clearInterval(this.timer);
    await this.flush();
    this.closed = true;
    await this.file?.close();
    this.file = undefined;
  }

  private async writeQueued(): Promise<void> {
    if (this.queue.length === 0 || this.file === undefined) return;
    const batch = this.queue;
    this.queue = [];
    const data = batch.join('\n') + '\n';
    try {
      await this.file.write(data);
      await this.file.datasync();
      this.fileBytes += Buffer.byteLength(data);
      if (this.fileBytes >= this.options.segmentBytes) {
        await this.file.close();
        await this.startSegment();
      }
    } catch (error) {
      this.queue = batch.concat(this.queue);
      this.options.onError?.(error);
    }
  }

  private async startSegment(): Promise<void> {
    this.sequence += 1;
    this.file = await open(join(this.options.dir, segmentName(this.sequence)), 'ax', 0o600);
    this.fileBytes = 0;
  }
}
