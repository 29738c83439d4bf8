import type { SecurityEvent } from '@lgsp/contracts';

import type { AuthFailureStore } from './auth-failure.repository';

/** Failures are counted over this sliding window, and a lock-out lasts this long. */
export const AUTH_FAILURE_WINDOW_MS = 15 * 60_000;
export const AUTH_LOCKOUT_MS = 15 * 60_000;
/** The first slowed answer waits this long; each further failure doubles it, up to the maximum. */
const FIRST_DELAY_MS = 250;
export const MAX_AUTH_DELAY_MS = 2_000;

/** Who a failed authentication counts against: the client id it named (when any) and the client IP. */
export interface AuthAttempt {
  readonly clientId?: string;
  readonly ip: string;
}

export interface Admission {
  /** Refused outright, without checking the credentials. */
  readonly lockedOut: boolean;
  /** How long to hold the answer back (0 below the slow-down threshold). */
  readonly delayMs: number;
}

export interface FailureOutcome {
  /** The security event this failure completes, if it is the one that reaches a threshold. */
  readonly event?: SecurityEvent;
  /** Which keys reached it: for the record and the log. */
  readonly clientIdReached: boolean;
}

const clientKey = (clientId: string) => `client:${clientId}`;
const ipKey = (ip: string) => `ip:${ip}`;

/**
 * Brute force on client authentication, per client id and per IP: from a third of the limit
 * answers are slowed (a growing, bounded delay that holds no thread), at the limit the client id or
 * IP is refused for 15 minutes. Only the failure that reaches a threshold yields an event, so a
 * burst and a lock-out are one ledger record each, never one per failure.
 */
export class BruteForceService {
  readonly slowFrom: number;

  constructor(
    private readonly store: AuthFailureStore,
    readonly limit: number,
    private readonly clock: () => Date,
  ) {
    this.slowFrom = Math.max(1, Math.floor(limit / 3));
  }

  async admit(attempt: AuthAttempt): Promise<Admission> {
    const now = this.clock().getTime();
    const keys = this.keysOf(attempt);
    for (const key of keys) {
      if ((await this.store.lockedUntil(key, now)) !== undefined) return { lockedOut: true, delayMs: 0 };
    }
    let failures = 0;
    for (const key of keys) failures = Math.max(failures, await this.store.countFailures(key, now));
    return { lockedOut: false, delayMs: this.delayFor(failures) };
  }

  async failed(attempt: AuthAttempt): Promise<FailureOutcome> {
    const now = this.clock().getTime();
    let event: SecurityEvent | undefined;
    let clientIdReached = false;
    for (const key of this.keysOf(attempt)) {
      const failures = await this.store.addFailure(key, now);
      let reached: SecurityEvent | undefined;
      if (failures >= this.limit) {
        await this.store.lockOut(key, now + AUTH_LOCKOUT_MS);
        await this.store.clearFailures(key);
        reached = 'authentication-locked-out';
      } else if (failures === this.slowFrom) {
        reached = 'authentication-failure-burst';
      }
      if (reached === undefined) continue;
      if (event !== 'authentication-locked-out') event = reached;
      if (key.startsWith('client:')) clientIdReached = true;
    }
    return { event, clientIdReached };
  }

  /** A success wipes the client id's failures (not the IP's: other client ids may be tried from it). */
  async succeeded(clientId: string): Promise<void> {
    await this.store.clearFailures(clientKey(clientId));
  }

  delayFor(failures: number): number {
    if (failures < this.slowFrom) return 0;
    return Math.min(MAX_AUTH_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(16, failures - this.slowFrom));
  }

  private keysOf(attempt: AuthAttempt): string[] {
    return attempt.clientId === undefined ? [ipKey(attempt.ip)] : [clientKey(attempt.clientId), ipKey(attempt.ip)];
  }
}
