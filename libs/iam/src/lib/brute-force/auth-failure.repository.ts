import { LRUCache } from 'lru-cache';

/**
 * Failed client authentications per key (a client id or an IP) in a sliding window, and lock-outs.
 * In-process here; a Redis store (a sorted set per key, one script per call) replaces it for
 * several replicas. Times are epoch milliseconds from the caller's clock.
 */
export interface AuthFailureStore {
  /** Adds a failure at `now`; answers how many fall within the window ending at `now`, this one included. */
  addFailure(key: string, now: number): Promise<number>;
  /** Failures within the window ending at `now`. */
  countFailures(key: string, now: number): Promise<number>;
  /** Forgets the failures of `key` (a lock-out stays). */
  clearFailures(key: string): Promise<void>;
  lockOut(key: string, until: number): Promise<void>;
  /** The end of the lock-out of `key`, when one is in force at `now`. */
  lockedUntil(key: string, now: number): Promise<number | undefined>;
}

interface Entry {
  failures: number[];
  lockedUntil?: number;
}

/**
 * Bounded: at most `maxKeys` keys (the least recently used go first, so an attacker cycling
 * through client ids cannot grow it), each holding its failures within the window only.
 */
export class InMemoryAuthFailureStore implements AuthFailureStore {
  private readonly entries: LRUCache<string, Entry>;

  constructor(
    private readonly windowMs: number,
    maxKeys = 100_000,
  ) {
    this.entries = new LRUCache({ max: maxKeys });
  }

  async addFailure(key: string, now: number): Promise<number> {
    const entry = this.entries.get(key) ?? { failures: [] };
    entry.failures = this.recent(entry.failures, now);
    entry.failures.push(now);
    this.entries.set(key, entry);
    return entry.failures.length;
  }

  async countFailures(key: string, now: number): Promise<number> {
    const entry = this.entries.peek(key);
    return entry === undefined ? 0 : this.recent(entry.failures, now).length;
  }

  async clearFailures(key: string): Promise<void> {
    const entry = this.entries.peek(key);
    if (entry === undefined) return;
    if (entry.lockedUntil === undefined) this.entries.delete(key);
    else entry.failures = [];
  }

  async lockOut(key: string, until: number): Promise<void> {
    const entry = this.entries.get(key) ?? { failures: [] };
    entry.lockedUntil = until;
    this.entries.set(key, entry);
  }

  async lockedUntil(key: string, now: number): Promise<number | undefined> {
    const until = this.entries.peek(key)?.lockedUntil;
    return until !== undefined && until > now ? until : undefined;
  }

  private recent(failures: number[], now: number): number[] {
    const from = now - this.windowMs;
    return failures.filter((at) => at > from && at <= now);
  }
}
