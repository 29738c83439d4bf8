import { randomUUID } from 'node:crypto';

import { closedPort } from '@lgsp/testing';
import { Redis } from 'ioredis';

import { RedisAssertionReplayStore, RedisAuthFailureStore } from './redis-iam-stores';

const WINDOW = 15 * 60_000;

describe('IAM stores on the real Redis (127.0.0.1:6379)', () => {
  const prefix = `lgsp:test:${randomUUID()}:`;
  let a: Redis;
  let b: Redis;

  beforeAll(() => {
    a = new Redis('redis://127.0.0.1:6379', { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    b = new Redis('redis://127.0.0.1:6379', { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    const keys = await a.keys(`${prefix}*`);
    if (keys.length > 0) await a.del(...keys);
    a.disconnect();
    b.disconnect();
  });

  it('counts failures across replicas within the window only', async () => {
    const one = new RedisAuthFailureStore(a, WINDOW, prefix);
    const two = new RedisAuthFailureStore(b, WINDOW, prefix);
    const t0 = 1_800_000_000_000;
    expect(await one.addFailure('client:x', t0)).toBe(1);
    expect(await two.addFailure('client:x', t0 + 1000)).toBe(2);
    expect(await one.addFailure('client:x', t0 + 1000)).toBe(3);
    expect(await two.countFailures('client:x', t0 + 2000)).toBe(3);
    // The first leaves the window; the other two are still in it.
    expect(await one.countFailures('client:x', t0 + WINDOW)).toBe(2);
    expect(await one.addFailure('client:x', t0 + WINDOW + 1000)).toBe(1);
    expect(await two.countFailures('ip:10.0.0.1', t0)).toBe(0);
  });

  it('shares a lock-out, and clearing failures leaves the lock in force', async () => {
    const one = new RedisAuthFailureStore(a, WINDOW, prefix);
    const two = new RedisAuthFailureStore(b, WINDOW, prefix);
    const now = Date.now();
    await one.addFailure('client:y', now);
    await one.lockOut('client:y', now + 60_000);
    expect(await two.lockedUntil('client:y', now + 1)).toBe(now + 60_000);
    await two.clearFailures('client:y');
    expect(await one.countFailures('client:y', now + 2)).toBe(0);
    expect(await one.lockedUntil('client:y', now + 2)).toBe(now + 60_000);
    expect(await one.lockedUntil('client:y', now + 60_001)).toBeUndefined();
  });

  it('refuses an assertion id replayed to another replica, until it expired', async () => {
    const one = new RedisAssertionReplayStore(a, prefix);
    const two = new RedisAssertionReplayStore(b, prefix);
    const now = Date.now();
    expect(await one.claim('jti-1', now + 200, now)).toBe(true);
    expect(await two.claim('jti-1', now + 200, now)).toBe(false);
    expect(await one.claim('jti-1', now + 200, now)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await new RedisAssertionReplayStore(b, prefix).claim('jti-1', Date.now() + 200, Date.now())).toBe(true);
  });

  it('decides alone, never refusing because of the store, while Redis is unreachable', async () => {
    const down = new Redis({ port: await closedPort(), host: '127.0.0.1', enableOfflineQueue: false, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const errors: unknown[] = [];
    const failures = new RedisAuthFailureStore(down, WINDOW, prefix, (e) => errors.push(e));
    const replays = new RedisAssertionReplayStore(down, prefix, (e) => errors.push(e));
    const now = Date.now();
    expect(await failures.addFailure('client:z', now)).toBe(1);
    expect(await failures.addFailure('client:z', now + 1)).toBe(2);
    await failures.lockOut('client:z', now + 1000);
    expect(await failures.lockedUntil('client:z', now + 2)).toBe(now + 1000);
    expect(await replays.claim('jti-2', now + 1000, now)).toBe(true);
    expect(await replays.claim('jti-2', now + 1000, now)).toBe(false);
    expect(errors.length).toBeGreaterThanOrEqual(5);
    down.disconnect();
  });
});
