import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';

import type { ChainedDocument } from '../chain/hash-chain.util';

/** In the ledger's dead-letter directory; the segment pattern never matches it. */
export const DEAD_LETTER_FILE = 'shipper.dead-letter.ndjson';

/**
 * A rejected letter holds the chained document exactly as it was to be stored (its place in the chain
 * included): `lgsp ledger verify` reports its seq as removed until an operator fixes the store and
 * replays the document with `LedgerWriter.append`, which restores the chain unchanged.
 */
export type DeadLetter =
  | { kind: 'rejected'; at: string; partition: string; status: number; reason?: string; document: ChainedDocument }
  /** A complete outbox line that was not a record: never chained. */
  | { kind: 'malformed'; at: string; partition: string; line: string };

/**
 * Appends and syncs before the outbox is acknowledged past them, so a document the store refused for
 * good is kept for an operator to fix and replay, and never blocks the rest.
 */
export async function appendDeadLetters(dir: string, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = await open(join(dir, DEAD_LETTER_FILE), 'a', 0o600);
  try {
    await file.write(letters.map((letter) => JSON.stringify(letter)).join('\n') + '\n');
    await file.datasync();
  } finally {
    await file.close();
  }
}
