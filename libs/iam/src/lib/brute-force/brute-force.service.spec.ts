import { TestClock } from '../../../test/iam-test.util';
import { InMemoryAuthFailureStore } from './auth-failure.repository';
import { AUTH_FAILURE_WINDOW_MS, AUTH_LOCKOUT_MS, BruteForceService, MAX_AUTH_DELAY_MS } from './brute-force.service';

describe('BruteForceService', () => {
  const T0 = new Date('2026-11-23T00:00:00Z');
  const attempt = { clientId: 'victim', ip: '10.0.0.1' };

  function guard(limit = 10) {
    const clock = new TestClock(T0);
    return { clock, guard: new BruteForceService(new InMemoryAuthFailureStore(AUTH_FAILURE_WINDOW_MS), limit, clock.now) };
  }

  it('slows from a third of the limit with a growing, bounded delay, and locks out at the limit', async () => {
    const { guard: g } = guard(10);
    expect(g.slowFrom).toBe(3);
    const seen: { delay: number; event?: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const admission = await g.admit(attempt);
      const outcome = await g.failed(attempt);
      seen.push({ delay: admission.delayMs, ...(outcome.event === undefined ? {} : { event: outcome.event }) });
    }
    expect(seen).toEqual([
      { delay: 0 },
      { delay: 0 },
      { delay: 0, event: 'authentication-failure-burst' },
      { delay: 250 },
      { delay: 500 },
      { delay: 1000 },
      { delay: 2000 },
      { delay: 2000 },
      { delay: 2000 },
      { delay: MAX_AUTH_DELAY_MS, event: 'authentication-locked-out' },
    ]);
    expect(await g.admit(attempt)).toEqual({ lockedOut: true, delayMs: 0 });
    // The IP is locked out as well: another client id from it is refused too.
    expect((await g.admit({ clientId: 'other', ip: '10.0.0.1' })).lockedOut).toBe(true);
    expect((await g.admit({ clientId: 'other', ip: '10.0.0.2' })).lockedOut).toBe(false);
  });

  it('lifts the lock-out after 15 minutes, with a clean slate', async () => {
    const { guard: g, clock } = guard(3);
    for (let i = 0; i < 3; i++) await g.failed(attempt);
    expect((await g.admit(attempt)).lockedOut).toBe(true);
    clock.advance(AUTH_LOCKOUT_MS - 1);
    expect((await g.admit(attempt)).lockedOut).toBe(true);
    clock.advance(1);
    expect(await g.admit(attempt)).toEqual({ lockedOut: false, delayMs: 0 });
  });

  it('counts in a sliding 15-minute window', async () => {
    const { guard: g, clock } = guard(10);
    await g.failed(attempt);
    await g.failed(attempt);
    clock.advance(AUTH_FAILURE_WINDOW_MS - 1000);
    await g.failed(attempt);
    expect((await g.admit(attempt)).delayMs).toBe(250);
    clock.advance(2000);
    expect((await g.admit(attempt)).delayMs).toBe(0);
  });

  it('forgets the client id’s failures on success, not the IP’s', async () => {
    const { guard: g } = guard(10);
    for (let i = 0; i < 4; i++) await g.failed(attempt);
    await g.succeeded('victim');
    expect((await g.admit({ clientId: 'victim', ip: '10.0.0.9' })).delayMs).toBe(0);
    expect((await g.admit({ clientId: 'someone', ip: '10.0.0.1' })).delayMs).toBeGreaterThan(0);
  });

  it('yields one event when the client id and the IP reach a threshold together, lock-out first', async () => {
    const { guard: g } = guard(2);
    expect((await g.failed(attempt)).event).toBe('authentication-failure-burst');
    expect(await g.failed(attempt)).toEqual({ event: 'authentication-locked-out', clientIdReached: true });
  });
});

describe('InMemoryAuthFailureStore', () => {
  it('holds a bounded number of keys', async () => {
    const store = new InMemoryAuthFailureStore(60_000, 100);
    for (let i = 0; i < 1000; i++) await store.addFailure(`client:${i}`, 1);
    expect(await store.countFailures('client:0', 1)).toBe(0);
    expect(await store.countFailures('client:999', 1)).toBe(1);
  });
});
