import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { TransactionRecord } from '@lgsp/contracts';

import { SEGMENT_PATTERN } from './segment-file.sink';

export interface SegmentReadResult {
  records: TransactionRecord[];
  /** Lines that did not parse: a line torn by a crash mid-write. */
  tornLines: number;
}

/** Reads every record of an outbox directory in order (segments by number, lines by position). */
export async function readSegments(dir: string): Promise<SegmentReadResult> {
  const names = (await readdir(dir)).filter((name) => SEGMENT_PATTERN.test(name)).sort();
  const records: TransactionRecord[] = [];
  let tornLines = 0;
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        records.push(JSON.parse(line) as TransactionRecord);
      } catch {
        tornLines += 1;
      }
    }
  }
  return { records, tornLines };
}
