export interface BackoffOptions {
  /** First delay, in ms. */
  initialMs: number;
  /** Ceiling of any delay, in ms. */
  maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": half the doubled delay is fixed, half random, so many
 * shippers coming back together do not hit Elasticsearch in lockstep, yet every wait still grows.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
