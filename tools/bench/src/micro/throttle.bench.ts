import { randomUUID } from 'node:crypto';

import type { GatewayContext, PolicyDependencies, PolicyResult } from '@lgsp/gateway-core';
// The throttle is not exported from @lgsp/gateway-core's index until it is wired into the chain.
import { MemorySlidingLogStorage, RedisSlidingLogStorage, ThrottleLimits, throttlePolicy } from '@lgsp/gateway-core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';

/**
 * The throttle's cost per request, in microseconds: a decision of the in-process sliding log, the
 * whole policy around it (limits lookup, decision, both RateLimit fields), and a decision of the
 * Redis sliding log on 127.0.0.1:6379 — one at a time (a request's added latency) and 32 in flight
 * (the cost per request under concurrency). Sub-microsecond work is timed in batches.
 *   node tools/scripts/run-ts.mjs tools/bench/src/micro/throttle.bench.ts [seconds per task, default 2]
 */
const SECONDS = Number(process.argv[2] ?? 2);
const REDIS_URL = 'redis://127.0.0.1:6379';
const WINDOW_MS = 60_000;
const KEYS = Array.from({ length: 1000 }, (_, i) => `consumer-${i}:production:*:read`);
const BATCH = 1000;
const IN_FLIGHT = 32;

async function main(): Promise<void> {
  const { Bench } = await import('tinybench');
  const bench = new Bench({ time: SECONDS * 1000, warmupTime: 500 });
  const perRequest = new Map<string, number>();

  // Steady state: each key sees a request every ~70 ms of simulated time, so each decision expires
  // one entry and admits one (the busy path), with ~860 entries per key in the window.
  let now = 0;
  const clock = () => now;
  const memory = new MemorySlidingLogStorage({ clock, sweepIntervalMs: 0 });
  let k = 0;
  bench.add('in-process decide (admitted)', () => {
    for (let i = 0; i < BATCH; i++) {
      now += 0.07;
      memory.decide(KEYS[k], 1000, WINDOW_MS);
      if (++k === KEYS.length) k = 0;
    }
  });
  perRequest.set('in-process decide (admitted)', BATCH);

  const full = new MemorySlidingLogStorage({ sweepIntervalMs: 0 });
  for (const key of KEYS) for (let i = 0; i < 1000; i++) full.decide(key, 1000, WINDOW_MS);
  bench.add('in-process decide (refused)', () => {
    for (let i = 0; i < BATCH; i++) {
      full.decide(KEYS[k], 1000, WINDOW_MS);
      if (++k === KEYS.length) k = 0;
    }
  });
  perRequest.set('in-process decide (refused)', BATCH);

  // The whole policy on reads within the limit: limits lookup, decision, both RateLimit fields.
  const limits = new ThrottleLimits({ readPerMinute: 1000, writePerMinute: 300 });
  const policyStorage = new MemorySlidingLogStorage({ clock, sweepIntervalMs: 0 });
  const handler = throttlePolicy.create({}, { throttle: { storage: policyStorage, limits } } as unknown as PolicyDependencies);
  const reply = { header: () => reply } as unknown as FastifyReply;
  const contextOf = (consumerId: string, method: string): GatewayContext => ({
    request: { method } as FastifyRequest,
    reply,
    transactionId: 't',
    receivedAt: 0,
    path: '/v1/documents/x',
    query: '',
    environment: 'production',
    consumerId,
    bytesIn: 0,
  });
  const reads = Array.from({ length: 1000 }, (_, i) => contextOf(`consumer-${i}`, 'GET'));
  let c = 0;
  bench.add('throttle policy, in-process, admitted', () => {
    for (let i = 0; i < BATCH; i++) {
      now += 0.07;
      handler.handle(reads[c]) as PolicyResult;
      if (++c === reads.length) c = 0;
    }
  });
  perRequest.set('throttle policy, in-process, admitted', BATCH);

  // A consumer past its write limit: the refusal (an LgspError with Retry-After) is built each time.
  const spent = contextOf('spent', 'POST');
  for (let i = 0; i < 300; i++) handler.handle(spent);
  bench.add('throttle policy, in-process, refused (429)', () => {
    for (let i = 0; i < BATCH; i++) handler.handle(spent) as PolicyResult;
  });
  perRequest.set('throttle policy, in-process, refused (429)', BATCH);

  const prefix = `lgsp-bench:throttle:${randomUUID()}:`;
  const redis = RedisSlidingLogStorage.fromOptions({ url: REDIS_URL, timeoutMs: 1000, keyPrefix: prefix });
  const redisUp = await redis.start();
  if (redisUp) {
    let r = 0;
    bench.add('Redis decide, one at a time', async () => {
      await redis.decide(KEYS[r], 1_000_000, WINDOW_MS);
      if (++r === KEYS.length) r = 0;
    });
    perRequest.set('Redis decide, one at a time', 1);
    const pending: Promise<unknown>[] = new Array(IN_FLIGHT);
    bench.add(`Redis decide, ${IN_FLIGHT} in flight`, async () => {
      for (let i = 0; i < IN_FLIGHT; i++) {
        pending[i] = redis.decide(KEYS[r], 1_000_000, WINDOW_MS);
        if (++r === KEYS.length) r = 0;
      }
      await Promise.all(pending);
    });
    perRequest.set(`Redis decide, ${IN_FLIGHT} in flight`, IN_FLIGHT);
  } else {
    console.log(`Redis at ${REDIS_URL} is not reachable: ${redis.lastError?.message ?? 'unknown error'}; Redis rows skipped`);
  }

  await bench.run();

  const rows = bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') return `| ${task.name} | ${result.state} | | |`;
    const n = perRequest.get(task.name) ?? 1;
    const mean = (result.latency.mean * 1000) / n;
    const p99 = (result.latency.p99 * 1000) / n;
    return `| ${task.name} | ${mean.toFixed(3)} | ${p99.toFixed(3)} | ${Math.round((1e6 / mean)).toLocaleString('en')} |`;
  });
  console.log(['| throttle | µs per request (mean) | µs per request (p99 of samples) | decisions/s |', '|---|---:|---:|---:|', ...rows].join('\n'));

  if (redisUp) {
    const cleaner = new Redis(REDIS_URL);
    for (const key of KEYS) await cleaner.unlink(`${prefix}${key}`);
    await cleaner.quit();
  }
  await redis.close();
  memory.close();
  full.close();
  policyStorage.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
