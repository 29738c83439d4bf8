import type { ThrottlerStorage } from '@nestjs/throttler';

import type { SlidingLogDecision } from './sliding-log.type';

/** @nestjs/throttler's ThrottlerStorageRecord, which its package index does not export. */
export type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * A sliding-log decision in @nestjs/throttler's terms, so our storages plug into ThrottlerModule for
 * Nest routes. The throttler's `blockDuration` does not apply: a refused key is blocked exactly
 * until its oldest admitted request leaves the window, and refusals are not counted as hits.
 */
export function throttlerRecordOf(decision: SlidingLogDecision, limit: number): ThrottlerRecord {
  const seconds = Math.ceil(decision.resetMs / 1000);
  return decision.admitted
    ? { totalHits: limit - decision.remaining, timeToExpire: seconds, isBlocked: false, timeToBlockExpire: 0 }
    : { totalHits: limit + 1, timeToExpire: seconds, isBlocked: true, timeToBlockExpire: seconds };
}
