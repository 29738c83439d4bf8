import type { ThrottlerStorage } from '@nestjs/throttler';

import type { Clock, SlidingLogDecision, SlidingLogStorage } from './sliding-log.type';
import { monotonicClock } from './sliding-log.type';
import { throttlerRecordOf } from './throttler-record.util';
import type { ThrottlerRecord } from './throttler-record.util';

const INITIAL_CAPACITY = 16;

/**
 * The admitted times of one key, oldest first, in a ring buffer. Nothing is admitted while `limit`
 * entries are in the window, so the ring never holds more than the limit (the highest one the key
 * had, if the registry lowers it: entries admitted under the old limit still count until they leave).
 * It starts small and doubles up to the limit as traffic needs. Entries are never shifted; each is
 * expired once, so a decision is O(1) amortized.
 */
class SlidingLog {
  times: Float64Array;
  head = 0;
  count = 0;

  constructor(
    limit: number,
    public windowMs: number,
  ) {
    this.times = new Float64Array(Math.min(limit, INITIAL_CAPACITY));
  }

  expire(horizon: number): void {
    const times = this.times;
    while (this.count > 0 && times[this.head] <= horizon) {
      if (++this.head === times.length) this.head = 0;
      this.count--;
    }
  }

  /** Drops all but the newest `limit` entries. */
  keepNewest(limit: number): void {
    const drop = this.count - limit;
    if (drop <= 0) return;
    this.head = (this.head + drop) % this.times.length;
    this.count = limit;
  }

  oldest(): number {
    return this.times[this.head];
  }

  /** The entry whose leaving brings the count below the limit (the oldest, unless the limit was lowered). */
  blocking(limit: number): number {
    return this.times[(this.head + this.count - limit) % this.times.length];
  }

  newest(): number {
    return this.times[(this.head + this.count - 1) % this.times.length];
  }

  push(now: number, limit: number): void {
    if (this.count === this.times.length) this.grow(Math.min(limit, this.times.length * 2));
    const capacity = this.times.length;
    let index = this.head + this.count;
    if (index >= capacity) index -= capacity;
    this.times[index] = now;
    this.count++;
  }

  private grow(capacity: number): void {
    const next = new Float64Array(capacity);
    const tail = this.times.subarray(this.head);
    next.set(tail);
    next.set(this.times.subarray(0, this.head), tail.length);
    this.times = next;
    this.head = 0;
  }
}

export interface MemorySlidingLogOptions {
  /** Milliseconds; the monotonic clock unless a test injects its own. */
  readonly clock?: Clock;
  /** How often keys whose every entry has left the window are dropped (0: never, tests sweep by hand). */
  readonly sweepIntervalMs?: number;
}

/**
 * The in-process sliding log: the embedded default's storage, and each replica's own budget (the
 * limit divided by the replicas) while Redis is unreachable. Also a @nestjs/throttler storage.
 */
export class MemorySlidingLogStorage implements SlidingLogStorage, ThrottlerStorage {
  private readonly logs = new Map<string, SlidingLog>();
  private readonly clock: Clock;
  private readonly sweeper?: NodeJS.Timeout;

  constructor(options: MemorySlidingLogOptions = {}) {
    this.clock = options.clock ?? monotonicClock;
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (sweepIntervalMs > 0) {
      this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
      this.sweeper.unref();
    }
  }

  /** `local` is copied into the decision: the failover storage's mark, set without a second object. */
  decide(key: string, limit: number, windowMs: number, local?: boolean): SlidingLogDecision {
    if (limit < 1) return { admitted: false, remaining: 0, resetMs: windowMs, local };
    const now = this.clock();
    const log = this.logOf(key, limit, windowMs);
    log.expire(now - windowMs);
    if (log.count < limit) {
      log.push(now, limit);
      return { admitted: true, remaining: limit - log.count, resetMs: log.oldest() + windowMs - now, local };
    }
    return { admitted: false, remaining: 0, resetMs: log.blocking(limit) + windowMs - now, local };
  }

  /**
   * Logs an admission decided elsewhere (by Redis), evicting the oldest entry if the log is full: the
   * replica's recent share is then already counted if Redis goes away.
   */
  record(key: string, limit: number, windowMs: number): void {
    if (limit < 1) return;
    const now = this.clock();
    const log = this.logOf(key, limit, windowMs);
    log.expire(now - windowMs);
    log.keepNewest(limit - 1);
    log.push(now, limit);
  }

  async increment(key: string, ttl: number, limit: number, _blockDuration?: number, _throttlerName?: string): Promise<ThrottlerRecord> {
    return throttlerRecordOf(this.decide(key, limit, ttl), limit);
  }

  /** Drops the keys whose every admitted request has left the window; returns how many. */
  sweep(): number {
    const now = this.clock();
    let evicted = 0;
    for (const [key, log] of this.logs) {
      if (log.count === 0 || log.newest() <= now - log.windowMs) {
        this.logs.delete(key);
        evicted++;
      }
    }
    return evicted;
  }

  /** Keys currently held. */
  get size(): number {
    return this.logs.size;
  }

  close(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.logs.clear();
  }

  private logOf(key: string, limit: number, windowMs: number): SlidingLog {
    let log = this.logs.get(key);
    if (log === undefined) {
      log = new SlidingLog(limit, windowMs);
      this.logs.set(key, log);
    } else {
      log.windowMs = windowMs;
    }
    return log;
  }
}
