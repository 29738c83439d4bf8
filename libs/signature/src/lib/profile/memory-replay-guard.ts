import type { ReplayGuard } from './replay-guard.type';

export interface MemoryReplayGuardOptions {
  /** The clock, in milliseconds; default Date.now. */
  readonly now?: () => number;
  /** Expired entries are swept at most this often, during a call (no timer is left running). Default 10 s. */
  readonly sweepIntervalMs?: number;
  /** Beyond this many live entries the oldest are dropped. Default 1 000 000. */
  readonly maxEntries?: number;
}

/**
 * The in-process replay guard of the embedded default and the tests: a Map from consumer and request
 * id to the time the entry expires. One process only; replicas share a Redis-backed guard instead.
 */
export class MemoryReplayGuard implements ReplayGuard {
  private readonly entries = new Map<string, number>();
  private readonly now: () => number;
  private readonly sweepIntervalMs: number;
  private readonly maxEntries: number;
  private lastSweep: number;

  constructor(options: MemoryReplayGuardOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 1_000_000;
    this.lastSweep = this.now();
  }

  /** Live entries (expired ones not yet swept are not counted). */
  get size(): number {
    const now = this.now();
    let live = 0;
    for (const expiresAt of this.entries.values()) if (expiresAt > now) live++;
    return live;
  }

  async seen(consumerId: string, requestId: string, ttlSeconds: number): Promise<boolean> {
    if (!(ttlSeconds > 0)) throw new RangeError(`ttlSeconds must be positive, not ${ttlSeconds}`);
    const now = this.now();
    if (now - this.lastSweep >= this.sweepIntervalMs) this.sweep(now);
    // The separator cannot occur in a consumer id, so two pairs never share a key.
    const key = `${consumerId}\n${requestId}`;
    const expiresAt = this.entries.get(key);
    if (expiresAt !== undefined && expiresAt > now) return true;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.sweep(now);
    // Still full: drop the oldest insertions. Signed requests reach here only after their signature
    // verified, and the throttle bounds how fast a consumer system can add them.
    for (const oldest of this.entries.keys()) {
      if (this.entries.size < this.maxEntries) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, now + ttlSeconds * 1000);
    return false;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, expiresAt] of this.entries) if (expiresAt <= now) this.entries.delete(key);
  }
}
