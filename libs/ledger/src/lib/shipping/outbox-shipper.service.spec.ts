import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { TransactionRecord } from '@lgsp/contracts';
import { SegmentFileSink, segmentName } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';

import { FakeElasticsearch } from '../../../test/fake-elasticsearch.util';
import { DEAD_LETTER_FILE } from './dead-letter.util';
import { ecsDocumentOf } from './ecs-document.util';
import type { LedgerTarget, ShipResult } from './elasticsearch-ledger.service';
import { ElasticsearchLedger } from './elasticsearch-ledger.service';
import { CURSOR_FILE, readCursor } from './outbox-cursor.util';
import type { OutboxShipperOptions } from './outbox-shipper.service';
import { OutboxShipper } from './outbox-shipper.service';

let counter = 0;
function nextRecord(): TransactionRecord {
  counter += 1;
  return {
    transactionId: `0190f5d2-0000-7000-8000-${String(counter).padStart(12, '0')}`,
    requestId: `3b241101-e2bb-4255-8caf-${String(counter).padStart(12, '0')}`,
    receivedAt: new Date(1_735_689_600_000 + counter).toISOString(),
    durationMs: 3,
    clientIp: '10.0.0.2',
    method: 'GET',
    path: '/v1/directory/organisations',
    status: 200,
    bytesIn: 0,
    bytesOut: 42,
  };
}

/** One gateway process: a real sink that writes `count` records (flushed every `flushEvery`), then closes. */
async function writeRecords(dir: string, count: number, options: { segmentBytes?: number; flushEvery?: number } = {}): Promise<TransactionRecord[]> {
  const sink = await SegmentFileSink.open({ dir, flushIntervalMs: 60_000, segmentBytes: options.segmentBytes ?? 1 << 20 });
  const records = Array.from({ length: count }, () => nextRecord());
  for (const [index, record] of records.entries()) {
    sink.record(record);
    if (options.flushEvery !== undefined && index % options.flushEvery === options.flushEvery - 1) await sink.flush();
  }
  await sink.close();
  return records;
}

function ids(records: TransactionRecord[]): string[] {
  return records.map((r) => r.transactionId);
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('OutboxShipper', () => {
  let root: string;
  let outbox: string;
  let es: FakeElasticsearch;
  let ledger: ElasticsearchLedger;
  let logLines: string[];
  const shippers: OutboxShipper[] = [];

  function shipperFor(options: Partial<OutboxShipperOptions> = {}): OutboxShipper {
    const shipper = new OutboxShipper({
      directories: [outbox],
      target: ledger,
      pollIntervalMs: 10,
      failureBackoff: { initialMs: 5, maxMs: 20 },
      logger: createLogger({ service: 'ledger', level: 'info', destination: { write: (line: string) => void logLines.push(line) } }),
      ...options,
    });
    shippers.push(shipper);
    return shipper;
  }

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lgsp-shipper-'));
    outbox = join(root, 'ledger', 'outbox');
    es = new FakeElasticsearch();
    ledger = new ElasticsearchLedger(es.client(), { sleep: async () => undefined, maxAttempts: 3 });
    logLines = [];
  });

  afterEach(async () => {
    await Promise.all(shippers.splice(0).map((s) => s.stop()));
    await rm(root, { recursive: true, force: true });
  });

  it('sets up Elasticsearch, then ships every record in outbox order and records the cursor', async () => {
    const records = await writeRecords(outbox, 5);
    const shipper = shipperFor();
    expect(await shipper.runOnce()).toEqual({ acknowledged: 5, failed: false });
    expect(es.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /_ilm/policy/lgsp-transactions-policy',
      'PUT /_ilm/policy/lgsp-transactions-policy',
      'GET /_index_template/lgsp-transactions',
      'PUT /_index_template/lgsp-transactions',
      'POST /_bulk',
    ]);
    expect(es.bulkRequests[0]).toEqual(records.flatMap((r) => [{ create: { _index: 'lgsp-transactions', _id: r.transactionId } }, JSON.parse(JSON.stringify(ecsDocumentOf(r)))]));
    const size = (await readFile(join(outbox, segmentName(1)))).length;
    expect(await readCursor(outbox)).toEqual({ segment: 1, offset: size });
    expect(shipper.metrics).toMatchObject({ shipped: 5, conflicts: 0, rejected: 0, tornLines: 0, batches: 1, lagBytes: 0, backlogSegments: 0 });
    // Nothing new: nothing sent.
    expect(await shipper.runOnce()).toEqual({ acknowledged: 0, failed: false });
    expect(es.bulkRequests).toHaveLength(1);
  });

  it('batches by count and by bytes, in order, across segments', async () => {
    const records = await writeRecords(outbox, 25, { segmentBytes: 1_000, flushEvery: 3 });
    expect((await readdir(outbox)).filter((n) => n.startsWith('segment-')).length).toBeGreaterThan(3);
    await shipperFor({ maxBatchRecords: 10 }).runOnce();
    expect(es.bulkRequests.map((body) => body.length / 2)).toEqual([10, 10, 5]);
    expect(es.createdIdsSent).toEqual(ids(records));

    const more = await writeRecords(outbox, 6);
    const lineBytes = JSON.stringify(more[0]).length + 1;
    await shipperFor({ maxBatchBytes: lineBytes * 2 }).runOnce();
    expect(es.bulkRequests.slice(3).map((body) => body.length / 2)).toEqual([2, 2, 2]);
    expect(es.createdIdsSent).toEqual(ids([...records, ...more]));
  });

  it('tails several outbox directories, each with its own cursor', async () => {
    const iamOutbox = join(root, 'ledger', 'iam-outbox');
    const gateway = await writeRecords(outbox, 3);
    const iam = await writeRecords(iamOutbox, 2);
    await shipperFor({ directories: [outbox, iamOutbox] }).runOnce();
    expect(es.createdIdsSent).toEqual(ids([...gateway, ...iam]));
    expect((await readdir(iamOutbox)).sort()).toEqual([segmentName(1), CURSOR_FILE]);
  });

  it('treats an outbox directory that does not exist yet as empty', async () => {
    const shipper = shipperFor({ directories: [join(root, 'not-yet')] });
    expect(await shipper.runOnce()).toEqual({ acknowledged: 0, failed: false });
  });

  it('loses and duplicates nothing while Elasticsearch is down, and drains the backlog when it is back', async () => {
    const sink = await SegmentFileSink.open({ dir: outbox, flushIntervalMs: 5, segmentBytes: 4_096 });
    const written: TransactionRecord[] = [];
    const produce = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const record = nextRecord();
        written.push(record);
        sink.record(record);
        if (i % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await sink.flush();
    };
    const shipper = shipperFor({ maxBatchRecords: 20 });
    shipper.start();
    await produce(30);
    await waitFor(() => es.documents.size === 30);

    es.down = { status: 503 };
    await produce(40);
    await waitFor(() => shipper.metrics.consecutiveFailures >= 2);
    es.down = { connectionError: true };
    await produce(40);
    await waitFor(() => shipper.metrics.consecutiveFailures >= 4);
    expect(es.documents.size).toBe(30);
    expect(shipper.metrics.lagBytes).toBeGreaterThan(0);
    const failedRequests = es.bulkRequests.length;

    es.down = undefined;
    await produce(25);
    await sink.close();
    await waitFor(() => es.documents.size === written.length);
    await shipper.stop();

    expect(failedRequests).toBeGreaterThan(30 / 20);
    expect([...es.documents.keys()].sort()).toEqual(ids(written).sort());
    // Every create that reached a working Elasticsearch created: no record was delivered twice.
    expect(shipper.metrics).toMatchObject({ shipped: 135, conflicts: 0, rejected: 0, tornLines: 0, lagBytes: 0, backlogSegments: 0, consecutiveFailures: 0 });
    expect(shipper.metrics.failures).toBeGreaterThanOrEqual(4);
    // Outbox order is kept across the outage.
    const firstSendOrder = [...new Set(es.createdIdsSent)];
    expect(firstSendOrder).toEqual(ids(written));
  });

  it('resumes from its cursor after a restart, and re-sends only an unacknowledged last batch', async () => {
    const first = await writeRecords(outbox, 10);
    await shipperFor({ maxBatchRecords: 4 }).runOnce();
    expect(es.bulkRequests).toHaveLength(3);
    const beforeLastBatch = await readFile(join(outbox, CURSOR_FILE));
    const second = await writeRecords(outbox, 6);
    await shipperFor({ maxBatchRecords: 10 }).runOnce();
    expect(es.createdIdsSent).toEqual(ids([...first, ...second]));
    // The shipper crashed after Elasticsearch acknowledged that last batch but before the rename
    // that replaces its cursor: the old cursor is still there, and a half-written temporary file.
    await writeFile(join(outbox, CURSOR_FILE), beforeLastBatch);
    await writeFile(join(outbox, `${CURSOR_FILE}.tmp`), '{"segm');

    const restarted = shipperFor({ maxBatchRecords: 4 });
    await restarted.runOnce();
    // Only the second segment's records come again; they answer 409 and count as delivered.
    expect(es.createdIdsSent).toEqual(ids([...first, ...second, ...second]));
    expect(restarted.metrics).toMatchObject({ shipped: 0, conflicts: 6 });
    expect(es.documents.size).toBe(16);

    const third = await writeRecords(outbox, 3);
    await shipperFor().runOnce();
    expect(es.createdIdsSent).toEqual(ids([...first, ...second, ...second, ...third]));
  });

  it('skips and counts a torn last line of an older segment', async () => {
    const before = await writeRecords(outbox, 3);
    await appendFile(join(outbox, segmentName(1)), '{"transactionId":"0190f5d2-torn');
    const after = await writeRecords(outbox, 2);
    const shipper = shipperFor();
    await shipper.runOnce();
    expect(es.createdIdsSent).toEqual(ids([...before, ...after]));
    expect(shipper.metrics.tornLines).toBe(1);
    expect(logLines.some((line) => line.includes('torn last line'))).toBe(true);
    expect(await readCursor(outbox)).toEqual({ segment: 2, offset: (await readFile(join(outbox, segmentName(2)))).length });
    await shipper.runOnce();
    expect(shipper.metrics.tornLines).toBe(1);
  });

  it('waits for the incomplete last line of the newest segment', async () => {
    const sink = await SegmentFileSink.open({ dir: outbox, flushIntervalMs: 60_000, segmentBytes: 1 << 20 });
    const complete = [nextRecord(), nextRecord()];
    complete.forEach((r) => sink.record(r));
    await sink.flush();
    const late = nextRecord();
    const line = JSON.stringify(late) + '\n';
    await appendFile(sink.currentSegment, line.slice(0, 40));
    const shipper = shipperFor();
    await shipper.runOnce();
    expect(es.createdIdsSent).toEqual(ids(complete));
    expect(shipper.metrics.tornLines).toBe(0);
    await appendFile(sink.currentSegment, line.slice(40));
    await shipper.runOnce();
    expect(es.createdIdsSent).toEqual(ids([...complete, late]));
    await sink.close();
  });

  it('keeps a rejected record in the dead-letter file and ships the rest', async () => {
    const records = await writeRecords(outbox, 3);
    es.itemStatuses.set(records[1].transactionId, [400]);
    const shipper = shipperFor();
    await shipper.runOnce();
    expect(shipper.metrics).toMatchObject({ shipped: 2, rejected: 1 });
    const letters = (await readFile(join(outbox, DEAD_LETTER_FILE), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(letters).toEqual([{ kind: 'rejected', at: expect.any(String), status: 400, errorType: 'document_parsing_exception', reason: 'scripted 400', record: records[1] }]);
    await shipper.runOnce();
    expect(es.bulkRequests).toHaveLength(1);
  });

  it('dead-letters a complete line that is not JSON without blocking the rest', async () => {
    const before = await writeRecords(outbox, 1);
    await appendFile(join(outbox, segmentName(1)), 'not json\nnull\n{"status":200}\n');
    const after = await writeRecords(outbox, 1);
    const shipper = shipperFor();
    await shipper.runOnce();
    expect(es.createdIdsSent).toEqual(ids([...before, ...after]));
    expect(shipper.metrics.malformedLines).toBe(3);
    expect(await readFile(join(outbox, DEAD_LETTER_FILE), 'utf8')).toContain('"line":"not json"');
  });

  it('keeps shipped segments by default and deletes closed ones when asked', async () => {
    await writeRecords(outbox, 2);
    await writeRecords(outbox, 2);
    await writeRecords(outbox, 2);
    await shipperFor().runOnce();
    expect((await readdir(outbox)).filter((n) => n.startsWith('segment-'))).toHaveLength(3);
    await writeRecords(outbox, 1);
    await shipperFor({ deleteShippedSegments: true }).runOnce();
    expect((await readdir(outbox)).filter((n) => n.startsWith('segment-'))).toEqual([segmentName(4)]);
    expect(es.documents.size).toBe(7);
  });

  it('retries the set-up until Elasticsearch answers, shipping nothing before', async () => {
    await writeRecords(outbox, 2);
    const failing = { ensureSetup: jest.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValue(undefined), ship: jest.fn((records: readonly TransactionRecord[]) => Promise.resolve<ShipResult>({ created: records.length, conflicts: 0, rejected: [], requests: 1 })) };
    const shipper = shipperFor({ target: failing });
    expect(await shipper.runOnce()).toEqual({ acknowledged: 0, failed: true });
    expect(failing.ship).not.toHaveBeenCalled();
    expect(await shipper.runOnce()).toEqual({ acknowledged: 2, failed: false });
    await shipper.runOnce();
    expect(failing.ensureSetup).toHaveBeenCalledTimes(2);
  });

  it('stop() lets the batch in flight finish, writes its cursor and ships no more', async () => {
    await writeRecords(outbox, 6);
    let release!: () => void;
    const shipped: string[] = [];
    const slow: LedgerTarget = {
      ensureSetup: async () => undefined,
      ship: async (records) => {
        await new Promise<void>((resolve) => (release = resolve));
        shipped.push(...ids([...records]));
        return { created: records.length, conflicts: 0, rejected: [], requests: 1 };
      },
    };
    const shipper = shipperFor({ target: slow, maxBatchRecords: 2 });
    shipper.start();
    await waitFor(() => release !== undefined);
    const stopped = shipper.stop();
    release();
    await stopped;
    expect(shipped).toHaveLength(2);
    const line = (await readFile(join(outbox, segmentName(1)), 'utf8')).split('\n');
    expect(await readCursor(outbox)).toEqual({ segment: 1, offset: Buffer.byteLength(line[0] + '\n' + line[1] + '\n') });
  });
});
