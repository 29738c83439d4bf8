import { randomBytes } from 'node:crypto';

import type { Redis } from 'ioredis';

import { InMemoryAssertionReplayStore } from '../authentication/assertion-replay.repository';
import type { AssertionReplayStore } from '../authentication/assertion-replay.repository';
import { InMemoryAuthFailureStore } from '../brute-force/auth-failure.repository';
import type { AuthFailureStore } from '../brute-force/auth-failure.repository';

/** Called when Redis failed and a replica decided alone; the caller logs it (once per burst is its choice). */
export type SharedStoreErrorHandler = (error: unknown) => void;

// Drop failures older than the window, add this one, count, and keep the key no longer than the window.
const ADD_FAILURE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZCARD', KEYS[1])
`;

/**
 * Failed client authentications counted in Redis, so every IAM replica sees every failure: an
 * attacker spreading guesses over the replicas meets one limit. While Redis fails, each replica
 * counts alone (never a refusal caused by the store itself) and says so through `onError`.
 */
export class RedisAuthFailureStore implements AuthFailureStore {
  private readonly local: InMemoryAuthFailureStore;

  constructor(
    private readonly redis: Redis,
    private readonly windowMs: number,
    private readonly prefix = 'lgsp:iam:auth-failures:',
    private readonly onError: SharedStoreErrorHandler = () => undefined,
  ) {
    this.local = new InMemoryAuthFailureStore(windowMs);
  }

  async addFailure(key: string, now: number): Promise<number> {
    try {
      const member = `${now}:${randomBytes(6).toString('base64url')}`;
      return Number(await this.redis.eval(ADD_FAILURE, 1, this.failuresKey(key), now, this.windowMs, member));
    } catch (error) {
      this.onError(error);
      return this.local.addFailure(key, now);
    }
  }

  async countFailures(key: string, now: number): Promise<number> {
    try {
      return await this.redis.zcount(this.failuresKey(key), `(${now - this.windowMs}`, now);
    } catch (error) {
      this.onError(error);
      return this.local.countFailures(key, now);
    }
  }

  async clearFailures(key: string): Promise<void> {
    await this.local.clearFailures(key);
    try {
      await this.redis.del(this.failuresKey(key));
    } catch (error) {
      this.onError(error);
    }
  }

  async lockOut(key: string, until: number): Promise<void> {
    await this.local.lockOut(key, until);
    try {
      await this.redis.set(this.lockKey(key), String(until), 'PX', Math.max(1, until - Date.now()));
    } catch (error) {
      this.onError(error);
    }
  }

  async lockedUntil(key: string, now: number): Promise<number | undefined> {
    try {
      const value = await this.redis.get(this.lockKey(key));
      const until = value === null ? undefined : Number(value);
      return until !== undefined && until > now ? until : undefined;
    } catch (error) {
      this.onError(error);
      return this.local.lockedUntil(key, now);
    }
  }

  private failuresKey(key: string): string {
    return `${this.prefix}f:${key}`;
  }

  private lockKey(key: string): string {
    return `${this.prefix}l:${key}`;
  }
}

/**
 * Client-assertion ids (RFC 7523 jti) claimed in Redis with SET NX until the assertion expires, so
 * an assertion replayed to another replica is refused. While Redis fails, each replica guards alone.
 */
export class RedisAssertionReplayStore implements AssertionReplayStore {
  private readonly local = new InMemoryAssertionReplayStore();

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'lgsp:iam:assertions:',
    private readonly onError: SharedStoreErrorHandler = () => undefined,
  ) {}

  async claim(id: string, expiresAt: number, now: number): Promise<boolean> {
    const locally = await this.local.claim(id, expiresAt, now);
    try {
      const set = await this.redis.set(this.prefix + id, '1', 'PX', Math.max(1, expiresAt - now), 'NX');
      return set === 'OK' && locally;
    } catch (error) {
      this.onError(error);
      return locally;
    }
  }
}
