import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { segmentName } from '@lgsp/ledger-client';

import type { OutboxItem } from './outbox-reader.util';
import { outboxLag, readOutbox } from './outbox-reader.util';

async function collect(items: AsyncGenerator<OutboxItem>): Promise<OutboxItem[]> {
  const all: OutboxItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('readOutbox', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-reader-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const line = (n: number) => JSON.stringify({ transactionId: `id-${n}`, path: '/v1/' + 'x'.repeat(n * 10) }) + '\n';

  it('yields complete lines with their end offsets, whatever the chunk size', async () => {
    await writeFile(join(dir, segmentName(1)), line(1) + line(5) + line(2));
    await writeFile(join(dir, segmentName(3)), line(3) + line(4).slice(0, 12));
    for (const chunk of [7, 16, 1 << 20]) {
      const items = await collect(readOutbox(dir, { segment: 0, offset: 0 }, chunk));
      expect(items.map((i) => (i.kind === 'record' ? i.record.transactionId : i.kind))).toEqual(['id-1', 'id-5', 'id-2', 'next-segment', 'id-3']);
      expect(items.map((i) => i.end)).toEqual([
        { segment: 1, offset: line(1).length },
        { segment: 1, offset: line(1).length + line(5).length },
        { segment: 1, offset: line(1).length + line(5).length + line(2).length },
        { segment: 3, offset: 0 },
        { segment: 3, offset: line(3).length },
      ]);
    }
  });

  it('starts at the cursor and reports the tail of an older segment as torn', async () => {
    await writeFile(join(dir, segmentName(1)), line(1) + line(2) + '{"transactionId":"to');
    await writeFile(join(dir, segmentName(2)), line(3));
    const items = await collect(readOutbox(dir, { segment: 1, offset: line(1).length }, 8));
    const size = (await readFile(join(dir, segmentName(1)))).length;
    expect(items).toEqual([
      { kind: 'record', record: JSON.parse(line(2)), bytes: line(2).length, end: { segment: 1, offset: line(1).length + line(2).length } },
      { kind: 'torn', segment: 1, bytes: 20, end: { segment: 1, offset: size } },
      { kind: 'next-segment', end: { segment: 2, offset: 0 } },
      { kind: 'record', record: JSON.parse(line(3)), bytes: line(3).length, end: { segment: 2, offset: line(3).length } },
    ]);
  });

  it('measures the unshipped bytes', async () => {
    await writeFile(join(dir, segmentName(1)), line(1) + line(2));
    await writeFile(join(dir, segmentName(2)), line(3));
    await appendFile(join(dir, segmentName(2)), line(4));
    expect(await outboxLag(dir, { segment: 1, offset: line(1).length })).toEqual({ bytes: line(2).length + line(3).length + line(4).length, segments: 2 });
    expect(await outboxLag(dir, { segment: 2, offset: line(3).length + line(4).length })).toEqual({ bytes: 0, segments: 0 });
  });
});
