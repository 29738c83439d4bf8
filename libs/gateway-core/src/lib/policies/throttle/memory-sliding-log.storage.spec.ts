import { MemorySlidingLogStorage } from './memory-sliding-log.storage';
import type { SlidingLogDecision } from './sliding-log.type';

/** The definition, naively: every admitted time kept, the window counted on each decision. */
class ReferenceLog {
  private readonly admitted = new Map<string, number[]>();

  decide(key: string, limit: number, windowMs: number, now: number): SlidingLogDecision {
    const times = this.admitted.get(key) ?? [];
    this.admitted.set(key, times);
    const live = times.filter((t) => now - t < windowMs);
    if (live.length < limit) {
      times.push(now);
      live.push(now);
      return { admitted: true, remaining: limit - live.length, resetMs: live[0] + windowMs - now };
    }
    // The request is admitted again once live.length - limit + 1 of them have left.
    return { admitted: false, remaining: 0, resetMs: live[live.length - limit] + windowMs - now };
  }
}

/** A deterministic PRNG, so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('MemorySlidingLogStorage', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => (now = 1_000_000));

  it('admits a burst of the whole limit at once, then refuses until the oldest leaves the window', () => {
    const storage = new MemorySlidingLogStorage({ clock, sweepIntervalMs: 0 });
    const decisions = Array.from({ length: 100 }, () => storage.decide('k', 100, 60_000));
    expect(decisions.every((d) => d.admitted)).toBe(true);
    expect(decisions.map((d) => d.remaining).slice(0, 3)).toEqual([99, 98, 97]);
    expect(decisions[99]).toEqual({ admitted: true, remaining: 0, resetMs: 60_000 });
    now += 20_000;
    expect(storage.decide('k', 100, 60_000)).toEqual({ admitted: false, remaining: 0, resetMs: 40_000 });
    now += 39_999;
    expect(storage.decide('k', 100, 60_000).admitted).toBe(false);
    now += 1;
    expect(storage.decide('k', 100, 60_000)).toEqual({ admitted: true, remaining: 99, resetMs: 60_000 });
  });

  it('decides exactly as the definition does, across ring growth, wrap-around, and limits changed on the way', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const storage = new MemorySlidingLogStorage({ clock, sweepIntervalMs: 0 });
      const reference = new ReferenceLog();
      let limit = 1 + Math.floor(next() * 70);
      for (let i = 0; i < 3000; i++) {
        // Bursts (no time passes), small steps and long gaps, so entries leave in ones and in crowds.
        const r = next();
        now += r < 0.5 ? 0 : r < 0.9 ? Math.floor(next() * 400) : Math.floor(next() * 70_000);
        if (next() < 0.003) limit = 1 + Math.floor(next() * 70);
        const key = next() < 0.8 ? 'a' : 'b';
        const expected = reference.decide(key, limit, 10_000, now);
        const actual = storage.decide(key, limit, 10_000);
        if (actual.admitted !== expected.admitted || actual.remaining !== expected.remaining || actual.resetMs !== expected.resetMs) {
          throw new Error(`seed ${seed}, decision ${i}, limit ${limit}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
        }
      }
    }
  });

  it('never holds more entries than the limit, however long the traffic', () => {
    const storage = new MemorySlidingLogStorage({ clock, sweepIntervalMs: 0 });
    for (let i = 0; i < 10_000; i++) {
      storage.decide('k', 300, 60_000);
      now += 7;
    }
    const log = (storage as unknown as { logs: Map<string, { times: Float64Array; count: number }> }).logs.get('k');
    expect(log?.times.length).toBeLessThanOrEqual(300);
    expect(log?.count).toBeLessThanOrEqual(300);
  });

  it('starts small: a consumer that makes a few requests does not cost its whole limit in memory', () => {
    const storage = new MemorySlidingLogStorage({ clock, sweepIntervalMs: 0 });
    storage.decide('k', 10_000_000, 60_000);
    const log = (storage as unknown as { logs: Map<string, { times: Float64Array }> }).logs.get('k');
    expect(log?.times.length).toBe(16);
  });

  it('evicts keys whose every admitted request has left the window', () => {
    const storage = new MemorySlidingLogStorage({ clock, sweepIntervalMs: 0 });
    storage.decide('old', 5, 60_000);
    now += 30_000;
    storage.decide('recent', 5, 60_000);
    expect(storage.sweep()).toBe(0);
    now += 30_000;
    expect(storage.sweep()).toBe(1);
    expect(storage.size).toBe(1);
    now += 30_000;
    expect(storage.sweep()).toBe(1);
    expect(storage.size).toBe(0);
  });

  it('refuses everything under a limit below 1, without keeping the key', () => {
    const storage = new MemorySlidingLogStorage({ clock, sweepIntervalMs: 0 });
    expect(storage.decide('k', 0, 60_000)).toEqual({ admitted: false, remaining: 0, resetMs: 60_000 });
    expect(storage.size).toBe(0);
  });

  it('records admissions decided elsewhere, keeping only the newest limit of them', () => {
    const storage = new MemorySlidingLogStorage({ clock, sweepIntervalMs: 0 });
    for (let i = 0; i < 8; i++) {
      storage.record('k', 5, 60_000);
      now += 1000;
    }
    // The newest five were recorded at +3 s .. +7 s; the next unit comes back when +3 s leaves.
    expect(storage.decide('k', 5, 60_000)).toEqual({ admitted: false, remaining: 0, resetMs: 55_000 });
  });

  it('is a @nestjs/throttler storage: hits, time to expire and block in seconds', async () => {
    const storage = new MemorySlidingLogStorage({ clock, sweepIntervalMs: 0 });
    expect(await storage.increment('k', 60_000, 2)).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    now += 10_500;
    expect(await storage.increment('k', 60_000, 2)).toEqual({ totalHits: 2, timeToExpire: 50, isBlocked: false, timeToBlockExpire: 0 });
    expect(await storage.increment('k', 60_000, 2)).toEqual({ totalHits: 3, timeToExpire: 50, isBlocked: true, timeToBlockExpire: 50 });
  });
});
