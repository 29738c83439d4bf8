import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

/** Where shipping resumes in one outbox directory: just after the last fully shipped line. */
export interface OutboxCursor {
  /** Segment number (`segment-<n>.ndjson`); 0 before anything was shipped. */
  segment: number;
  /** Byte offset in that segment just after the last shipped line's newline. */
  offset: number;
}

export const CURSOR_FILE = 'shipper.cursor.json';
export const START_CURSOR: OutboxCursor = { segment: 0, offset: 0 };

export function compareCursors(a: OutboxCursor, b: OutboxCursor): number {
  return a.segment - b.segment || a.offset - b.offset;
}

export async function readCursor(dir: string): Promise<OutboxCursor> {
  let text: string;
  try {
    text = await readFile(join(dir, CURSOR_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return START_CURSOR;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<OutboxCursor>;
  if (!Number.isSafeInteger(parsed.segment) || !Number.isSafeInteger(parsed.offset) || parsed.segment! < 0 || parsed.offset! < 0) {
    throw new Error(`invalid shipper cursor in ${join(dir, CURSOR_FILE)}: ${text}`);
  }
  return { segment: parsed.segment!, offset: parsed.offset! };
}

/**
 * Replaces the cursor atomically: the new content is made durable in a temporary file, renamed over
 * the old one, and the directory entry synced, so a crash leaves either the old cursor or the new.
 */
export async function writeCursor(dir: string, cursor: OutboxCursor): Promise<void> {
  const target = join(dir, CURSOR_FILE);
  const temporary = `${target}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(JSON.stringify({ segment: cursor.segment, offset: cursor.offset }));
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temporary, target);
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
