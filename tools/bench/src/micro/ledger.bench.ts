import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { TransactionRecord } from '@lgsp/contracts';
import { EMPTY_CHAIN, chainDocument, ecsDocumentOf } from '@lgsp/ledger';
import { PostgresOutboxSink, SegmentFileSink } from '@lgsp/ledger-client';
import { createTestDatabase } from '@lgsp/testing';
import { migrateDatabase, openDatabase } from '@lgsp/data';

/**
 * The ledger's costs per transaction, in microseconds: the gateway's hand-off (`record()`: serialize
 * and queue — what a request pays), the flush that makes a batch durable (files: append + fdatasync;
 * PostgreSQL: one INSERT of the batch — paid off the request path, every LGSP_LEDGER_FLUSH_INTERVAL_MS),
 * and the ledger's own work per record (ECS mapping and the hash chain link).
 *   node tools/scripts/run-ts.mjs tools/bench/src/micro/ledger.bench.ts [seconds per task, default 2]
 * PostgreSQL rows use a throw-away database on LGSP_TEST_DATABASE_URL (default: the local server).
 */
const SECONDS = Number(process.argv[2] ?? 2);
const BATCH = 1000;

function recordOf(n: number): TransactionRecord {
  return {
    transactionId: `0190f5d2-0000-7000-8000-${String(n % 1e12).padStart(12, '0')}`,
    requestId: '3b241101-e2bb-4255-8caf-4136c566a962',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    receivedAt: new Date(1_700_000_000_000 + n).toISOString(),
    durationMs: 1.234,
    upstreamStartedAt: new Date(1_700_000_000_000 + n).toISOString(),
    upstreamEndedAt: new Date(1_700_000_000_001 + n).toISOString(),
    upstreamDurationMs: 0.9,
    clientIp: '10.1.2.3',
    zone: 'party-wan',
    service: 'gateway',
    method: 'GET',
    path: '/v1/directory/organisations',
    apiVersion: 'v1',
    apiDomain: 'directory',
    providerId: 'so-noi-vu-ha-noi',
    apiId: 'directory-v1',
    routeTemplate: '/organisations',
    classification: 'noi-bo',
    environment: 'production',
    consumerId: 'ubnd-ha-noi.qlcb',
    clientId: 'ubnd-ha-noi-qlcb-prod',
    status: 200,
    bytesIn: 0,
    bytesOut: 320,
    throttle: { limit: 'read', quota: 1000, remaining: 999, admitted: true },
  };
}

async function main(): Promise<void> {
  const { Bench } = await import('tinybench');
  const bench = new Bench({ time: SECONDS * 1000, warmupTime: 500 });
  const perRecord = new Map<string, number>();
  const records = Array.from({ length: BATCH }, (_, i) => recordOf(i));
  const dir = await mkdtemp(join(tmpdir(), 'lgsp-bench-ledger-'));

  // Hand-off only: a flush interval far away, so record() is all that is timed; the queue is
  // emptied (flushed) between samples outside the timing.
  const files = await SegmentFileSink.open({ dir: join(dir, 'handoff'), flushIntervalMs: 3_600_000, segmentBytes: 1 << 30, maxBatchRecords: 10 * BATCH });
  bench.add('files: record() (hand-off)', () => {
    for (let i = 0; i < BATCH; i++) files.record(records[i]);
  }, { afterEach: () => files.flush() });
  perRecord.set('files: record() (hand-off)', BATCH);

  const durable = await SegmentFileSink.open({ dir: join(dir, 'flush'), flushIntervalMs: 3_600_000, segmentBytes: 1 << 30, maxBatchRecords: 10 * BATCH });
  bench.add(`files: ${BATCH} records made durable (write + fdatasync)`, async () => {
    for (let i = 0; i < BATCH; i++) durable.record(records[i]);
    await durable.flush();
  });
  perRecord.set(`files: ${BATCH} records made durable (write + fdatasync)`, BATCH);

  const database = await createTestDatabase().catch((error: unknown) => {
    console.log(`PostgreSQL is not reachable (${(error as Error).message}); PostgreSQL rows skipped`);
    return undefined;
  });
  let postgres: PostgresOutboxSink | undefined;
  if (database !== undefined) {
    const migrated = await openDatabase({ url: database.url });
    await migrateDatabase(migrated);
    await migrated.close();
    postgres = await PostgresOutboxSink.open({ databaseUrl: database.url, service: 'gateway', flushIntervalMs: 3_600_000, maxBatchRecords: 10 * BATCH, maxQueuedRecords: 100 * BATCH });
    const sink = postgres;
    bench.add('postgres: record() (hand-off)', () => {
      for (let i = 0; i < BATCH; i++) sink.record(records[i]);
    }, { afterEach: () => sink.flush() });
    perRecord.set('postgres: record() (hand-off)', BATCH);
    bench.add(`postgres: ${BATCH} records made durable (one INSERT)`, async () => {
      for (let i = 0; i < BATCH; i++) sink.record(records[i]);
      await sink.flush();
    });
    perRecord.set(`postgres: ${BATCH} records made durable (one INSERT)`, BATCH);
  }

  let state = EMPTY_CHAIN;
  bench.add('ledger: ECS document + hash chain link', () => {
    for (let i = 0; i < BATCH; i++) state = chainDocument(ecsDocumentOf(records[i]), 'files-bench', state).state;
  });
  perRecord.set('ledger: ECS document + hash chain link', BATCH);

  await bench.run();
  const rows = bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') return `| ${task.name} | ${result.state} | | |`;
    const n = perRecord.get(task.name) ?? 1;
    const mean = (result.latency.mean * 1000) / n;
    const p99 = (result.latency.p99 * 1000) / n;
    return `| ${task.name} | ${mean.toFixed(3)} | ${p99.toFixed(3)} | ${Math.round(1e6 / mean).toLocaleString('en')} |`;
  });
  console.log(['| ledger | µs per record (mean) | µs per record (p99 of samples) | records/s |', '|---|---:|---:|---:|', ...rows].join('\n'));

  await files.close();
  await durable.close();
  await postgres?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
