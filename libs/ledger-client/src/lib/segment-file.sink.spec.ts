import { appendFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { TransactionRecord } from '@lgsp/contracts';

import { SegmentFileSink, segmentName } from './segment-file.sink';
import { readSegments } from './segment-reader.util';

function recordOf(n: number): TransactionRecord {
  return {
    transactionId: `0190f5d2-0000-7000-8000-${String(n).padStart(12, '0')}`,
    requestId: `3b241101-e2bb-4255-8caf-${String(n).padStart(12, '0')}`,
    receivedAt: new Date(1_700_000_000_000 + n).toISOString(),
    durationMs: 1.5,
    clientIp: '127.0.0.1',
    method: 'GET',
    path: '/v1/directory/organisations',
    status: 200,
    bytesIn: 0,
    bytesOut: 10,
  };
}

describe('SegmentFileSink', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-outbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes every handed record durable, in order, on flush', async () => {
    const sink = await SegmentFileSink.open({ dir, flushIntervalMs: 60_000, segmentBytes: 1 << 20 });
    for (let i = 0; i < 250; i++) sink.record(recordOf(i));
    expect(sink.pending).toBe(250);
    await sink.flush();
    expect(sink.pending).toBe(0);
    const { records, tornLines } = await readSegments(dir);
    expect(tornLines).toBe(0);
    expect(records.map((r) => r.transactionId)).toEqual(Array.from({ length: 250 }, (_, i) => recordOf(i).transactionId));
    await sink.close();
  });

  it('flushes by itself within the interval', async () => {
    const sink = await SegmentFileSink.open({ dir, flushIntervalMs: 20, segmentBytes: 1 << 20 });
    sink.record(recordOf(1));
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await readSegments(dir)).records).toHaveLength(1);
    await sink.close();
  });

  it('rolls to a new segment at the size limit and keeps the order across segments', async () => {
    const sink = await SegmentFileSink.open({ dir, flushIntervalMs: 60_000, segmentBytes: 4096, maxBatchRecords: 10 });
    for (let i = 0; i < 100; i++) {
      sink.record(recordOf(i));
      if (i % 10 === 9) await sink.flush();
    }
    await sink.close();
    const files = (await readdir(dir)).sort();
    expect(files.length).toBeGreaterThan(3);
    const { records } = await readSegments(dir);
    expect(records).toHaveLength(100);
    expect(records[99]).toEqual(recordOf(99));
  });

  it('starts a fresh segment after a restart and never appends after a torn line', async () => {
    const first = await SegmentFileSink.open({ dir, flushIntervalMs: 60_000, segmentBytes: 1 << 20 });
    first.record(recordOf(1));
    await first.flush();
    // A crash mid-write leaves half a line behind.
    await appendFile(join(dir, segmentName(1)), '{"transactionId":"torn');
    const second = await SegmentFileSink.open({ dir, flushIntervalMs: 60_000, segmentBytes: 1 << 20 });
    expect(second.currentSegment).toBe(join(dir, segmentName(2)));
    second.record(recordOf(2));
    await second.close();
    const { records, tornLines } = await readSegments(dir);
    expect(records.map((r) => r.transactionId)).toEqual([recordOf(1).transactionId, recordOf(2).transactionId]);
    expect(tornLines).toBe(1);
  });

  it('keeps a batch whose write failed and writes it on the next flush', async () => {
    const errors: unknown[] = [];
    const sink = await SegmentFileSink.open({ dir, flushIntervalMs: 60_000, segmentBytes: 1 << 20, onError: (e) => errors.push(e) });
    const file = (sink as unknown as { file: { write: (d: string) => Promise<unknown> } }).file;
    const realWrite = file.write.bind(file);
    let failures = 1;
    file.write = async (data: string) => {
      if (failures-- > 0) throw new Error('disk full');
      return realWrite(data);
    };
    sink.record(recordOf(1));
    await sink.flush();
    expect(errors).toHaveLength(1);
    expect(sink.pending).toBe(1);
    sink.record(recordOf(2));
    await sink.flush();
    expect(sink.pending).toBe(0);
    expect((await readSegments(dir)).records.map((r) => r.status)).toEqual([200, 200]);
    expect((await readFile(sink.currentSegment, 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
    await sink.close();
  });

  it('drops nothing handed before close and accepts nothing after', async () => {
    const sink = await SegmentFileSink.open({ dir, flushIntervalMs: 60_000, segmentBytes: 1 << 20 });
    sink.record(recordOf(1));
    await sink.close();
    sink.record(recordOf(2));
    expect((await readSegments(dir)).records).toHaveLength(1);
  });
});
