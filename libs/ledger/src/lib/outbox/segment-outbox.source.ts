import { randomUUID } from 'node:crypto';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import { segmentName } from '@lgsp/ledger-client';
import type { Logger } from '@lgsp/observability';

import pino from 'pino';

import type { ChainState } from '../chain/hash-chain.util';
import type { OutboxCursor } from '../shipping/outbox-cursor.util';
import { compareCursors, readShippingState, syncDirectory, writeShippingState } from '../shipping/outbox-cursor.util';
import { listSegments, outboxLag, readOutbox } from '../shipping/outbox-reader.util';
import type { OutboxBatch, OutboxLag, OutboxSource } from './outbox-source.type';

/** Beside the segments: the directory's partition id, written once. */
export const PARTITION_ID_FILE = 'partition-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SegmentOutboxSourceOptions {
  /** Outbox directories (the gateway's, IAM's, LGSP_LEDGER_OUTBOX_DIRS); each is one partition. */
  directories: readonly string[];
  /** Delete a closed segment once every line of it is committed. Default false: keep. */
  deleteShippedSegments?: boolean;
  /** Read size; a line longer than this is read in several chunks. Default 1 MiB. */
  chunkBytes?: number;
  logger?: Logger;
}

/**
 * The partition name of an outbox directory: `files-<uuid>`, the uuid kept in the directory itself,
 * so moving or renaming the directory keeps its chain. Created once, atomically: written and synced
 * under a temporary name, then hard-linked to its place, which fails if another process got there first.
 */
export async function partitionIdOf(dir: string): Promise<string> {
  const target = join(dir, PARTITION_ID_FILE);
  const existing = await readPartitionId(target);
  if (existing !== undefined) return existing;
  const temporary = `${target}.${process.pid}.${randomUUID()}.tmp`;
  const file = await open(temporary, 'wx', 0o644);
  try {
    await file.writeFile(`${randomUUID()}\n`);
    await file.datasync();
  } finally {
    await file.close();
  }
  try {
    await link(temporary, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  await syncDirectory(dir);
  const id = await readPartitionId(target);
  if (id === undefined) throw new Error(`${target} does not hold a partition id`);
  return id;
}

async function readPartitionId(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const id = text.trim();
  if (!UUID.test(id)) throw new Error(`${file} does not hold a partition id`);
  return `files-${id}`;
}

/**
 * The file outbox as the ledger reads it: one partition per segment directory. A directory's cursor
 * file holds its position and its chain state together; it is replaced only by `commit`, so until the
 * store has acknowledged a batch the same records are read again from the same chain state.
 * The caller handles one batch at a time: a batch it drops without `commit` is read again by a later
 * `next`, from the same position and chain state.
 */
export class SegmentOutboxSource implements OutboxSource {
  private readonly logger: Logger;
  private readonly partitions = new Map<string, string>();
  private turn = 0;

  constructor(private readonly options: SegmentOutboxSourceOptions) {
    this.logger = options.logger ?? pino({ level: 'silent' });
  }

  async next(limits: { maxRecords: number; maxBytes: number }): Promise<OutboxBatch | undefined> {
    const { directories } = this.options;
    for (let i = 0; i < directories.length; i++) {
      const dir = directories[(this.turn + i) % directories.length];
      const batch = await this.read(dir, limits);
      if (batch !== undefined) {
        this.turn = (this.turn + i + 1) % directories.length;
        return batch;
      }
    }
    return undefined;
  }

  async lag(): Promise<OutboxLag> {
    let bytes = 0;
    let segments = 0;
    let partitions = 0;
    for (const dir of this.options.directories) {
      const lag = await outboxLag(dir, (await readShippingState(dir)).cursor);
      bytes += lag.bytes;
      segments += lag.segments;
      if (lag.bytes > 0) partitions += 1;
    }
    return { partitions, bytes, segments };
  }

  async close(): Promise<void> {
    // Nothing held open between batches.
  }

  private async read(dir: string, limits: { maxRecords: number; maxBytes: number }): Promise<OutboxBatch | undefined> {
    if ((await listSegments(dir)).length === 0) return undefined;
    const state = await readShippingState(dir);
    const records: OutboxBatch['records'] = [];
    const malformed: string[] = [];
    let tornLines = 0;
    let bytes = 0;
    let end: OutboxCursor = state.cursor;
    const chunk = this.options.chunkBytes ?? Math.max(64 * 1024, Math.min(limits.maxBytes, 1 << 20));
    for await (const item of readOutbox(dir, state.cursor, chunk)) {
      end = item.end;
      if (item.kind === 'record') {
        records.push(item.record);
        bytes += item.bytes;
      } else if (item.kind === 'torn') {
        tornLines += 1;
        this.logger.warn({ dir, segment: item.segment, bytes: item.bytes }, 'torn last line of an older outbox segment skipped');
      } else if (item.kind === 'malformed') {
        malformed.push(item.line);
      }
      if (records.length >= limits.maxRecords || bytes >= limits.maxBytes) break;
    }
    if (compareCursors(end, state.cursor) <= 0) return undefined;
    const partition = await this.partitionOf(dir);
    return {
      partition,
      chain: state.chain,
      records,
      malformed,
      tornLines,
      commit: async (after: ChainState) => {
        await writeShippingState(dir, { cursor: end, chain: after });
        if (this.options.deleteShippedSegments) await this.deleteShipped(dir, end);
      },
    };
  }

  private async partitionOf(dir: string): Promise<string> {
    let partition = this.partitions.get(dir);
    if (partition === undefined) {
      partition = await partitionIdOf(dir);
      this.partitions.set(dir, partition);
    }
    return partition;
  }

  /** Segments before the cursor's are closed (the sink never writes an older one) and fully committed. */
  private async deleteShipped(dir: string, cursor: OutboxCursor): Promise<void> {
    for (const segment of await listSegments(dir)) {
      if (segment >= cursor.segment) break;
      await unlink(join(dir, segmentName(segment)));
      this.logger.info({ dir, segment }, 'shipped outbox segment deleted');
    }
  }
}
