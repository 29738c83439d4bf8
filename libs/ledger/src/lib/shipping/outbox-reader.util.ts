import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { TransactionRecord } from '@lgsp/contracts';
import { SEGMENT_PATTERN, segmentName } from '@lgsp/ledger-client';

import type { OutboxCursor } from './outbox-cursor.util';

/** What the reader finds after the cursor; `end` is where shipping resumes once this item is done. */
export type OutboxItem =
  | { kind: 'record'; record: TransactionRecord; bytes: number; end: OutboxCursor }
  /** The unterminated tail of a segment that a newer one follows: a write torn by a crash. */
  | { kind: 'torn'; segment: number; bytes: number; end: OutboxCursor }
  /** A complete line that is not JSON (never written by the sink: damage on disk). */
  | { kind: 'malformed'; line: string; end: OutboxCursor }
  /** A closed segment is done: resume at the start of the next one. */
  | { kind: 'next-segment'; end: OutboxCursor };

const NEWLINE = 0x0a;

/** Segment numbers of a directory, ascending; an absent directory has none yet. */
export async function listSegments(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .map((name) => SEGMENT_PATTERN.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
}

/** A record needs at least its transaction id: it is the document id. */
function parseRecord(line: string): TransactionRecord | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value === 'object' && value !== null && typeof (value as TransactionRecord).transactionId === 'string') return value as TransactionRecord;
  } catch {
    // falls through: not JSON
  }
  return undefined;
}

function segmentPath(dir: string, segment: number): string {
  return join(dir, segmentName(segment));
}

/**
 * Reads an outbox from the cursor on, in order, complete lines only. A line without its newline in
 * the newest segment is still being written: reading stops before it. The same in an older segment
 * can never be completed (the sink opens a new segment on every start, and rolls only after a whole
 * batch is written), so it is reported as torn and passed over. The segment list is taken before any
 * file is read, so "newest" is never decided on stale knowledge.
 */
export async function* readOutbox(dir: string, from: OutboxCursor, chunkBytes = 1 << 20): AsyncGenerator<OutboxItem> {
  const segments = (await listSegments(dir)).filter((segment) => segment >= from.segment);
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index];
    const newest = index === segments.length - 1;
    let position = segment === from.segment ? from.offset : 0;
    let carry = Buffer.alloc(0);
    const file = await open(segmentPath(dir, segment), 'r');
    try {
      for (;;) {
        const chunk = Buffer.allocUnsafe(chunkBytes);
        const { bytesRead } = await file.read(chunk, 0, chunkBytes, position + carry.length);
        if (bytesRead === 0) break;
        const data = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
        let start = 0;
        for (let newline = data.indexOf(NEWLINE); newline !== -1; newline = data.indexOf(NEWLINE, start)) {
          const line = data.toString('utf8', start, newline);
          const bytes = newline + 1 - start;
          start = newline + 1;
          const end = { segment, offset: position + start };
          if (line === '') continue;
          const record = parseRecord(line);
          yield record === undefined ? { kind: 'malformed', line, end } : { kind: 'record', record, bytes, end };
        }
        position += start;
        carry = Buffer.from(data.subarray(start));
      }
    } finally {
      await file.close();
    }
    if (newest) return;
    if (carry.length > 0) {
      position += carry.length;
      yield { kind: 'torn', segment, bytes: carry.length, end: { segment, offset: position } };
    }
    yield { kind: 'next-segment', end: { segment: segments[index + 1], offset: 0 } };
  }
}

/** Bytes written to the outbox but not yet shipped, and the segments they span. */
export async function outboxLag(dir: string, cursor: OutboxCursor): Promise<{ bytes: number; segments: number }> {
  let bytes = 0;
  let segments = 0;
  for (const segment of await listSegments(dir)) {
    if (segment < cursor.segment) continue;
    let size: number;
    try {
      size = (await stat(segmentPath(dir, segment))).size;
    } catch {
      continue;
    }
    const unshipped = size - (segment === cursor.segment ? cursor.offset : 0);
    if (unshipped > 0) {
      bytes += unshipped;
      segments += 1;
    }
  }
  return { bytes, segments };
}
