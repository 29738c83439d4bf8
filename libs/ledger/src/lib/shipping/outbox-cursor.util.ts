import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

import type { ChainState } from '../chain/hash-chain.util';
import { EMPTY_CHAIN } from '../chain/hash-chain.util';

/** Where shipping resumes in one outbox directory: just after the last fully shipped line. */
export interface OutboxCursor {
  /** Segment number (`segment-<n>.ndjson`); 0 before anything was shipped. */
  segment: number;
  /** Byte offset in that segment just after the last shipped line's newline. */
  offset: number;
}

/** A directory's progress: the position and the partition's hash chain there, always replaced together. */
export interface ShippingState {
  cursor: OutboxCursor;
  chain: ChainState;
}

export const CURSOR_FILE = 'shipper.cursor.json';
export const START_CURSOR: OutboxCursor = { segment: 0, offset: 0 };

const HASH = /^[0-9a-f]{64}$/;

export function compareCursors(a: OutboxCursor, b: OutboxCursor): number {
  return a.segment - b.segment || a.offset - b.offset;
}

/** The position and chain state last committed; a cursor written before the chain existed starts at genesis. */
export async function readShippingState(dir: string): Promise<ShippingState> {
  let text: string;
  try {
    text = await readFile(join(dir, CURSOR_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { cursor: START_CURSOR, chain: EMPTY_CHAIN };
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<OutboxCursor> & { chain?: Partial<ChainState> };
  if (!Number.isSafeInteger(parsed.segment) || !Number.isSafeInteger(parsed.offset) || parsed.segment! < 0 || parsed.offset! < 0) {
    throw new Error(`invalid shipper cursor in ${join(dir, CURSOR_FILE)}`);
  }
  const cursor = { segment: parsed.segment!, offset: parsed.offset! };
  if (parsed.chain === undefined) return { cursor, chain: EMPTY_CHAIN };
  const { seq, hash } = parsed.chain;
  if (!Number.isSafeInteger(seq) || seq! < 0 || typeof hash !== 'string' || !HASH.test(hash)) throw new Error(`invalid chain state in ${join(dir, CURSOR_FILE)}`);
  return { cursor, chain: { seq: seq!, hash } };
}

export async function readCursor(dir: string): Promise<OutboxCursor> {
  return (await readShippingState(dir)).cursor;
}

/**
 * Replaces the cursor and chain state atomically: the new content is made durable in a temporary
 * file, renamed over the old one, and the directory entry synced, so a crash leaves either the old
 * state or the new, never a position without its chain.
 */
export async function writeShippingState(dir: string, state: ShippingState): Promise<void> {
  const target = join(dir, CURSOR_FILE);
  const temporary = `${target}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(JSON.stringify({ segment: state.cursor.segment, offset: state.cursor.offset, chain: { seq: state.chain.seq, hash: state.chain.hash } }));
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temporary, target);
  await syncDirectory(dir);
}

export async function syncDirectory(dir: string): Promise<void> {
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
