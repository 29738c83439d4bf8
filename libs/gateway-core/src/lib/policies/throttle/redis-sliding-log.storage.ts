import type { ThrottlerStorage } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';

import { SLIDING_LOG_SCRIPT } from './sliding-log-script.constant';
import type { SlidingLogDecision, SlidingLogStorage } from './sliding-log.type';
import { throttlerRecordOf } from './throttler-record.util';
import type { ThrottlerRecord } from './throttler-record.util';

export const DEFAULT_THROTTLE_KEY_PREFIX = 'lgsp:throttle:';

export interface ThrottleRedisOptions {
  /** REDIS_URL. */
  readonly url: string;
  /** Every command's deadline (config.throttling.redisTimeoutMs). */
  readonly timeoutMs: number;
  /** Prepended to every key; tests use one per run. */
  readonly keyPrefix?: string;
}

/**
 * A throttle decision must never wait on Redis: commands fail at once while disconnected (no offline
 * queue), in-flight ones fail as soon as the connection drops and are never replayed later (the
 * gateway has decided locally meanwhile), and reconnection backs off in the background up to 2 s
 * between attempts. The per-call deadline is the storage's own (see withDeadline), not ioredis's
 * commandTimeout.
 */
export function throttleRedisOptions(options: ThrottleRedisOptions): RedisOptions {
  return {
    keyPrefix: options.keyPrefix ?? DEFAULT_THROTTLE_KEY_PREFIX,
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: Math.max(1000, options.timeoutMs * 10),
    // ioredis arms this timer on close even for a socket that is already gone, keeping the process alive.
    disconnectTimeout: 200,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
  };
}

export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';

  constructor(timeoutMs: number) {
    super(`Redis did not answer within ${timeoutMs} ms`);
  }
}

/**
 * Settles like `call`, or rejects with RedisTimeoutError when it has not settled `timeoutMs` later.
 * The expiry waits for one pass of the event loop's poll phase first: after a stall (GC, a burst of
 * cold requests) the timer and Redis's answer are due together, and timers run before I/O is read,
 * so ioredis's commandTimeout would take an answer already on the socket for an outage.
 */
export function withDeadline<T>(call: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new RedisTimeoutError(timeoutMs));
      });
    }, timeoutMs);
    call.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

const COMMAND = 'lgspSlidingLog';

interface SlidingLogCommand {
  lgspSlidingLog(key: string, limit: number, windowMs: number): Promise<[number, number, number]>;
}

/**
 * The shared sliding log: one atomic Lua script per decision on a sorted set per key, timed by the
 * Redis server's clock. ioredis sends the script once per connection (EVAL) and EVALSHA after that,
 * falling back to EVAL on NOSCRIPT (a restarted Redis). Every call has a deadline (timeoutMs).
 * Also a @nestjs/throttler storage.
 */
export class RedisSlidingLogStorage implements SlidingLogStorage, ThrottlerStorage {
  /** The last connection error ioredis reported (it reconnects by itself). */
  lastError?: Error;
  private readonly commands: SlidingLogCommand;

  constructor(
    readonly client: Redis,
    private readonly timeoutMs: number,
  ) {
    client.defineCommand(COMMAND, { numberOfKeys: 1, lua: SLIDING_LOG_SCRIPT });
    client.on('error', (error: Error) => (this.lastError = error));
    this.commands = client as unknown as SlidingLogCommand;
  }

  static fromOptions(options: ThrottleRedisOptions): RedisSlidingLogStorage {
    return new RedisSlidingLogStorage(new Redis(options.url, throttleRedisOptions(options)), options.timeoutMs);
  }

  /** Connects; false when Redis is not reachable now (ioredis keeps retrying in the background). */
  async start(): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    try {
      if (this.client.status === 'wait') await withDeadline(this.client.connect(), Math.max(1000, this.timeoutMs * 10));
      else await withDeadline(this.client.ping(), this.timeoutMs);
      return true;
    } catch (error) {
      // The 'error' event (ECONNREFUSED, ...) says more than connect()'s "Connection is closed."
      this.lastError ??= error as Error;
      return false;
    }
  }

  async decide(key: string, limit: number, windowMs: number): Promise<SlidingLogDecision> {
    const reply = await withDeadline(this.commands.lgspSlidingLog(key, limit, windowMs), this.timeoutMs);
    return { admitted: reply[0] === 1, remaining: reply[1], resetMs: reply[2] };
  }

  async increment(key: string, ttl: number, limit: number, _blockDuration?: number, _throttlerName?: string): Promise<ThrottlerRecord> {
    return throttlerRecordOf(await this.decide(key, limit, ttl), limit);
  }

  async close(): Promise<void> {
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through: drop the connection
      }
    }
    this.client.disconnect();
  }
}
