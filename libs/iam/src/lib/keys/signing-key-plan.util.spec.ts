import type { SigningKeyTimings, SigningKeyWindow } from './signing-key-plan.util';
import { planSigningKeys, signingKeyAt } from './signing-key-plan.util';

const DAY = 86_400_000;
const T0 = new Date('2026-11-23T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const timings: SigningKeyTimings = { rotationMs: 30 * DAY, minimumLeadMs: 600_000, createAheadMs: 720_000, publishAfterRetirementMs: DAY + 300_000 };
const key = (kid: string, activatesAt: number, retiresAt: number): SigningKeyWindow => ({ kid, activatesAt: at(activatesAt), retiresAt: at(retiresAt), expiresAt: at(retiresAt + timings.publishAfterRetirementMs) });

describe('planSigningKeys', () => {
  it('creates the very first key activating at once', () => {
    expect(planSigningKeys([], T0, timings)).toEqual({ create: [{ activatesAt: T0, retiresAt: at(30 * DAY), expiresAt: at(31 * DAY + 300_000) }] });
  });

  it('does nothing while the current key retires later than the creation lead', () => {
    expect(planSigningKeys([key('a', 0, 30 * DAY)], at(30 * DAY - 720_001), timings)).toEqual({ create: [] });
  });

  it('creates the successor activating exactly when the current key retires', () => {
    const now = at(30 * DAY - 720_000);
    expect(planSigningKeys([key('a', 0, 30 * DAY)], now, timings)).toEqual({
      create: [{ activatesAt: at(30 * DAY), retiresAt: at(60 * DAY), expiresAt: at(61 * DAY + 300_000) }],
    });
  });

  it('does not create a second successor', () => {
    expect(planSigningKeys([key('a', 0, 30 * DAY), key('b', 30 * DAY, 60 * DAY)], at(30 * DAY - 60_000), timings)).toEqual({ create: [] });
  });

  it('when maintenance comes too late, extends the current key instead of activating an unpublished one', () => {
    const now = at(30 * DAY - 60_000);
    const plan = planSigningKeys([key('a', 0, 30 * DAY)], now, timings);
    const activation = at(30 * DAY - 60_000 + 600_000);
    expect(plan.extend).toEqual({ kid: 'a', activatesAt: T0, retiresAt: activation, expiresAt: new Date(activation.getTime() + timings.publishAfterRetirementMs) });
    expect(plan.create).toEqual([{ activatesAt: activation, retiresAt: new Date(activation.getTime() + 30 * DAY), expiresAt: new Date(activation.getTime() + 31 * DAY + 300_000) }]);
  });

  it('after a long outage (nothing signs), activates a key at once', () => {
    const plan = planSigningKeys([key('a', 0, 30 * DAY)], at(30.5 * DAY), timings);
    expect(plan.create[0].activatesAt).toEqual(at(30.5 * DAY));
    expect(plan.extend).toBeUndefined();
  });

  it('creates several keys ahead when the lead is longer than a rotation', () => {
    const long = { ...timings, rotationMs: DAY, minimumLeadMs: 2 * DAY, createAheadMs: 2 * DAY + 120_000 };
    const plan = planSigningKeys([], T0, long);
    expect(plan.create.map((w) => w.activatesAt)).toEqual([T0, at(DAY), at(2 * DAY)]);
  });
});

describe('signingKeyAt', () => {
  it('picks the key whose window holds the time, the latest activated on overlap', () => {
    const keys = [key('a', 0, 30 * DAY), key('b', 30 * DAY, 60 * DAY), key('c', 10 * DAY, 40 * DAY)];
    expect(signingKeyAt(keys, at(DAY))?.kid).toBe('a');
    expect(signingKeyAt(keys, at(20 * DAY))?.kid).toBe('c');
    expect(signingKeyAt(keys, at(30 * DAY))?.kid).toBe('b');
    expect(signingKeyAt(keys, at(60 * DAY))).toBeUndefined();
  });
});
