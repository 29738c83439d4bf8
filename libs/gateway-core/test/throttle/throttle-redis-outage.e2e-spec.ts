import { configFrom } from '@lgsp/config';
import { closedPort } from '@lgsp/testing';
import { Header } from '@lgsp/contracts';
import type { Counter, Gauge } from 'prom-client';
import { Registry } from 'prom-client';
import { request } from 'undici';

import { createThrottleRuntime } from '../../src/lib/policies/throttle';
import type { ThrottleDegradedEvent, ThrottleRecoveredEvent, ThrottleRuntime } from '../../src/lib/policies/throttle';
import { OwnRedisServer } from './own-redis-server.util';
import { CONSUMER_HEADER, startThrottleTestServer } from './throttle-test-server.util';
import type { ThrottleTestServer } from './throttle-test-server.util';

const READ_LIMIT = 30;
const WRITE_LIMIT = 9;
const REPLICAS = 3;
const LOCAL_READ_LIMIT = Math.ceil(READ_LIMIT / REPLICAS);
const LOCAL_WRITE_LIMIT = Math.ceil(WRITE_LIMIT / REPLICAS);
const REDIS_TIMEOUT_MS = 50;
/** No request may take longer than this, whatever Redis does (the Redis timeout plus HTTP on a busy CI box). */
const BOUND_MS = 300;

interface Wave {
  admitted: number;
  refused: number;
  slowestMs: number;
  retryAfter: Set<string>;
}

async function metric(m: Counter | Gauge): Promise<number> {
  return (await m.get()).values[0]?.value ?? 0;
}

describe('throttle when Redis dies, hangs and comes back (a redis-server of its own)', () => {
  let redis: OwnRedisServer;
  let runtime: ThrottleRuntime;
  let server: ThrottleTestServer;
  const events: (ThrottleDegradedEvent | ThrottleRecoveredEvent)[] = [];
  let slowestOverall = 0;

  beforeAll(async () => {
    redis = await OwnRedisServer.start();
    const config = configFrom({
      REDIS_URL: redis.url,
      LGSP_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
      LGSP_GATEWAY_REPLICAS: String(REPLICAS),
      LGSP_READ_LIMIT_PER_MINUTE: String(READ_LIMIT),
      LGSP_WRITE_LIMIT_PER_MINUTE: String(WRITE_LIMIT),
    });
    runtime = createThrottleRuntime(config.throttling, {
      registers: [new Registry()],
      probeIntervalMs: 200,
      onDegraded: (event) => events.push(event),
      onRecovered: (event) => events.push(event),
    });
    await runtime.start();
    server = await startThrottleTestServer(runtime);
    // Warm up (connections, compiled code, the script sent) on a consumer of its own.
    await wave('warm-up', 40);
    slowestOverall = 0;
  });

  afterAll(async () => {
    redis.thaw();
    await server.close();
    await runtime.close();
    await redis.kill();
  });

  async function wave(consumer: string, count: number, method = 'GET'): Promise<Wave> {
    const outcomes = await Promise.all(
      Array.from({ length: count }, async () => {
        const started = performance.now();
        const response = await request(`${server.url}/v1/documents/x`, { method: method as 'GET', headers: { [CONSUMER_HEADER]: consumer } });
        await response.body.dump();
        return { status: response.statusCode, ms: performance.now() - started, retryAfter: response.headers[Header.retryAfter] };
      }),
    );
    const slowestMs = Math.max(...outcomes.map((o) => o.ms));
    slowestOverall = Math.max(slowestOverall, slowestMs);
    return {
      admitted: outcomes.filter((o) => o.status === 200).length,
      refused: outcomes.filter((o) => o.status === 429).length,
      slowestMs,
      retryAfter: new Set(outcomes.filter((o) => o.status === 429).map((o) => String(o.retryAfter))),
    };
  }

  /** Sends a request every 100 ms until the throttle reports Redis back (at most 15 s). */
  async function untilRecovered(recoveries: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (events.filter((e) => e.kind === 'recovered').length < recoveries) {
      if (Date.now() > deadline) throw new Error('the throttle did not go back to Redis');
      const outcome = await wave(`probe-${recoveries}`, 1);
      expect(outcome.slowestMs).toBeLessThan(BOUND_MS);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('shares the limit through Redis while it is up', async () => {
    expect(await wave('system-a', READ_LIMIT + 10)).toMatchObject({ admitted: READ_LIMIT, refused: 10 });
    expect(events).toEqual([]);
    expect(await metric(runtime.metrics.degraded)).toBe(0);
  });

  it('keeps serving under the local limit (limit / replicas) when Redis is killed, never waiting on it', async () => {
    await redis.kill();
    const reads = await wave('system-b', 20);
    expect(reads).toMatchObject({ admitted: LOCAL_READ_LIMIT, refused: 20 - LOCAL_READ_LIMIT });
    expect([...reads.retryAfter].every((s) => Number(s) >= 59 && Number(s) <= 60)).toBe(true);
    expect(reads.slowestMs).toBeLessThan(BOUND_MS);
    expect(await wave('system-b', 10, 'POST')).toMatchObject({ admitted: LOCAL_WRITE_LIMIT });
    // system-a spent its budget through this replica just before: the outage does not hand it a fresh one.
    expect(await wave('system-a', 5)).toMatchObject({ admitted: 0 });

    expect(events.map((e) => e.kind)).toEqual(['degraded']);
    expect(events[0]).toMatchObject({ kind: 'degraded', replicas: REPLICAS });
    expect(await metric(runtime.metrics.degraded)).toBe(1);
    expect(await metric(runtime.metrics.outages)).toBe(1);
    expect(await metric(runtime.metrics.localDecisions)).toBeGreaterThanOrEqual(35);
  });

  it('reports the outage once, not per request, however long it lasts', async () => {
    for (let i = 0; i < 4; i++) {
      expect((await wave(`system-c${i}`, 15)).admitted).toBe(LOCAL_READ_LIMIT);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect(events.map((e) => e.kind)).toEqual(['degraded']);
    expect(await metric(runtime.metrics.outages)).toBe(1);
  });

  it('shares limits again once Redis is restarted on the same port', async () => {
    await redis.restart();
    await untilRecovered(1);
    expect(events.map((e) => e.kind)).toEqual(['degraded', 'recovered']);
    const recovered = events[1] as ThrottleRecoveredEvent;
    expect(recovered.outageMs).toBeGreaterThan(0);
    expect(recovered.localDecisions).toBeGreaterThan(0);
    expect(await metric(runtime.metrics.degraded)).toBe(0);
    // The whole limit again, not the local share: decided by the restarted Redis (script sent anew).
    expect(await wave('system-d', READ_LIMIT + 10)).toMatchObject({ admitted: READ_LIMIT, refused: 10 });
  });

  it('decides locally within the Redis timeout when Redis hangs, and goes back to it when it answers', async () => {
    redis.freeze();
    const frozen = await wave('system-e', 20);
    expect(frozen).toMatchObject({ admitted: LOCAL_READ_LIMIT });
    expect(frozen.slowestMs).toBeLessThan(BOUND_MS);
    expect((await wave('system-e', 5)).slowestMs).toBeLessThan(BOUND_MS);
    expect(events.map((e) => e.kind)).toEqual(['degraded', 'recovered', 'degraded']);
    expect((events[2] as ThrottleDegradedEvent).reason).toBe(`Redis did not answer within ${REDIS_TIMEOUT_MS} ms`);
    expect(await metric(runtime.metrics.outages)).toBe(2);
    redis.thaw();
    await untilRecovered(2);
    expect(await wave('system-f', READ_LIMIT + 5)).toMatchObject({ admitted: READ_LIMIT });
    expect(slowestOverall).toBeLessThan(BOUND_MS);
  });
});

describe('throttle when Redis is unreachable at start-up', () => {
  it('starts degraded, decides locally at once, and says so once', async () => {
    const port = await closedPort();
    const events: ThrottleDegradedEvent[] = [];
    const config = configFrom({ REDIS_URL: `redis://127.0.0.1:${port}`, LGSP_GATEWAY_REPLICAS: '4', LGSP_WRITE_LIMIT_PER_MINUTE: '10' });
    const runtime = createThrottleRuntime(config.throttling, { registers: [new Registry()], onDegraded: (event) => events.push(event) });
    try {
      await runtime.start();
      expect(events).toHaveLength(1);
      expect(events[0].reason).toMatch(/ECONNREFUSED/);
      const started = performance.now();
      const decisions = await Promise.all(Array.from({ length: 5 }, () => runtime.storage.decide('system:production:*:write', 10, 60_000)));
      expect(performance.now() - started).toBeLessThan(BOUND_MS);
      expect(decisions.filter((d) => d.admitted)).toHaveLength(3);
      expect(events).toHaveLength(1);
      expect(await metric(runtime.metrics.degraded)).toBe(1);
    } finally {
      await runtime.close();
    }
  });
});
