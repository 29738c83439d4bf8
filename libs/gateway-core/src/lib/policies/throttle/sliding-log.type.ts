/** One decision of a sliding log: admitted or not, what is left, and when the next unit comes back. */
export interface SlidingLogDecision {
  readonly admitted: boolean;
  /** Requests this key may still make in the current window (after this one when admitted). */
  readonly remaining: number;
  /**
   * Milliseconds until the oldest admitted request that still blocks leaves the window: the wait
   * before one more request is admitted (Retry-After on a refusal, the RateLimit `t` otherwise).
   */
  readonly resetMs: number;
  /** Decided by this replica alone while the shared store (Redis) was unreachable (the failover storage). */
  readonly local?: boolean;
}

/**
 * An exact sliding log: a request is admitted iff fewer than `limit` requests of `key` were admitted
 * in the last `windowMs`. So no window of that length, wherever it starts, admits more than the
 * limit, and a burst of the whole limit at once is admitted. In-process decisions are synchronous;
 * shared ones (Redis) are not.
 */
export interface SlidingLogStorage {
  decide(key: string, limit: number, windowMs: number): SlidingLogDecision | Promise<SlidingLogDecision>;
}

/** Milliseconds from an arbitrary origin; only differences matter. */
export type Clock = () => number;

/** The in-process default: never goes backwards, unlike Date.now() under NTP steps. */
export const monotonicClock: Clock = () => performance.now();

/** The window of both named limits: the contract's `w=60`. */
export const THROTTLE_WINDOW_MS = 60_000;
