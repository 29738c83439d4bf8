import { open } from 'node:fs/promises';
import { join } from 'node:path';

import type { RejectedRecord } from './elasticsearch-ledger.service';

/** Beside the segments of each outbox directory; the segment pattern never matches it. */
export const DEAD_LETTER_FILE = 'shipper.dead-letter.ndjson';

export type DeadLetter =
  | { kind: 'rejected'; at: string; status: number; errorType?: string; reason?: string; record: RejectedRecord['record'] }
  | { kind: 'malformed'; at: string; line: string };

/**
 * Appends and syncs before the cursor moves past them, so a record Elasticsearch refused for good
 * (a 4xx other than 409/429) is kept for an operator to fix and replay, and never blocks the rest.
 */
export async function appendDeadLetters(dir: string, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  const file = await open(join(dir, DEAD_LETTER_FILE), 'a', 0o600);
  try {
    await file.write(letters.map((letter) => JSON.stringify(letter)).join('\n') + '\n');
    await file.datasync();
  } finally {
    await file.close();
  }
}
