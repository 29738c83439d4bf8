import { setTimeout as sleep } from 'node:timers/promises';

import { Redis } from 'ioredis';

import { RedisSlidingLogStorage, RedisTimeoutError, withDeadline } from '../../src/lib/policies/throttle';
import type { SlidingLogDecision } from '../../src/lib/policies/throttle';
import { SHARED_REDIS_URL, deleteKeys, runPrefix } from './shared-redis.util';

/** The most entries any window [s, s + windowMs) holds, over every start s (sorted input). */
function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    if (j < i) j = i;
    while (j + 1 < times.length && times[j + 1] < times[i] + windowMs) j++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe('RedisSlidingLogStorage (the machine Redis, a key prefix per run)', () => {
  const prefix = runPrefix();
  let storage: RedisSlidingLogStorage;
  let observer: Redis;

  beforeAll(async () => {
    storage = RedisSlidingLogStorage.fromOptions({ url: SHARED_REDIS_URL, timeoutMs: 500, keyPrefix: prefix });
    expect(await storage.start()).toBe(true);
    observer = new Redis(SHARED_REDIS_URL);
  });

  afterAll(async () => {
    await storage.close();
    await observer.quit();
    await deleteKeys(SHARED_REDIS_URL, prefix);
  });

  it('admits a concurrent burst of the whole limit and refuses the rest until the oldest leaves the window', async () => {
    const decisions = await Promise.all(Array.from({ length: 150 }, () => storage.decide('burst', 100, 60_000)));
    const admitted = decisions.filter((d) => d.admitted);
    expect(admitted).toHaveLength(100);
    expect(admitted.map((d) => d.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const refused of decisions.filter((d) => !d.admitted)) {
      expect(refused.remaining).toBe(0);
      expect(refused.resetMs).toBeGreaterThan(59_000);
      expect(refused.resetMs).toBeLessThanOrEqual(60_000);
    }
  });

  it('keeps counting entries admitted under a lowered limit, and admits again when it is raised', async () => {
    for (let i = 0; i < 5; i++) expect((await storage.decide('changed', 5, 60_000)).admitted).toBe(true);
    const lowered = await storage.decide('changed', 3, 60_000);
    expect(lowered.admitted).toBe(false);
    expect(lowered.resetMs).toBeGreaterThan(59_000);
    expect(await storage.decide('changed', 8, 60_000)).toMatchObject({ admitted: true, remaining: 2 });
  });

  it('keeps each key under the prefix, expiring with its newest entry', async () => {
    await storage.decide('expiring', 10, 5_000);
    expect(await observer.exists('expiring')).toBe(0);
    const ttl = await observer.pttl(`${prefix}expiring`);
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });

  it('does not take an event-loop stall longer than its timeout for a Redis that did not answer', async () => {
    const quick = RedisSlidingLogStorage.fromOptions({ url: SHARED_REDIS_URL, timeoutMs: 20, keyPrefix: prefix });
    try {
      expect(await quick.start()).toBe(true);
      const pending = quick.decide('stall', 5, 60_000);
      const until = performance.now() + 100;
      while (performance.now() < until); // the process is busy for 100 ms; Redis answers meanwhile
      await expect(pending).resolves.toMatchObject({ admitted: true, remaining: 4 });
    } finally {
      await quick.close();
    }
  });

  it('gives up on a call that does not settle in time', async () => {
    const started = performance.now();
    await expect(withDeadline(new Promise<never>(() => undefined), 30)).rejects.toBeInstanceOf(RedisTimeoutError);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('is a @nestjs/throttler storage', async () => {
    expect(await storage.increment('nest', 60_000, 1, 60_000, 'read')).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    expect(await storage.increment('nest', 60_000, 1, 60_000, 'read')).toMatchObject({ totalHits: 2, isBlocked: true, timeToBlockExpire: 60 });
  });

  it('no 1-second window on the Redis server clock admits more than the limit, whatever the traffic', async () => {
    const limit = 20;
    const windowMs = 1000;
    const key = 'window';
    // Every admitted entry stays in the set for at least the window, so sampling it every 100 ms
    // sees each one, with the server-clock time it was admitted at.
    const seen = new Map<string, number>();
    const sample = async () => {
      const flat = await observer.zrange(`${prefix}${key}`, 0, -1, 'WITHSCORES');
      for (let i = 0; i < flat.length; i += 2) seen.set(flat[i], Number(flat[i + 1]));
    };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sample();
        await sleep(100);
      }
    })();

    const pending: Promise<SlidingLogDecision>[] = [];
    const burst = (n: number) => {
      for (let i = 0; i < n; i++) pending.push(storage.decide(key, limit, windowMs));
    };
    const start = performance.now();
    const at = async (offset: number) => {
      const wait = start + offset - performance.now();
      if (wait > 0) await sleep(wait);
    };
    burst(30);
    const first = await Promise.all(pending);
    expect(first.filter((d) => d.admitted)).toHaveLength(limit);
    for (const offset of [990, 1000, 1010]) {
      await at(offset);
      burst(15);
    }
    for (let offset = 1100; offset < 2500; offset += 15) {
      await at(offset);
      burst(1);
    }
    for (const offset of [2995, 3000, 3005]) {
      await at(offset);
      burst(10);
    }
    const decisions = await Promise.all(pending);
    sampling = false;
    await sampler;
    await sample();

    const admitted = decisions.filter((d) => d.admitted).length;
    expect(seen.size).toBe(admitted);
    const times = [...seen.values()].sort((a, b) => a - b);
    expect(busiestWindow(times, windowMs)).toBeLessThanOrEqual(limit);
    expect(admitted).toBeGreaterThanOrEqual(3 * limit);
    expect(decisions.length - admitted).toBeGreaterThan(0);
  });
});
