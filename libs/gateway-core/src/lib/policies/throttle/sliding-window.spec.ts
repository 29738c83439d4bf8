import { MemorySlidingLogStorage } from './memory-sliding-log.storage';

const WINDOW = 60_000;
const LIMIT = 50;

/** The most admitted requests any window [s, s + WINDOW) holds, over every start s (sorted input). */
function busiestWindow(admitted: readonly number[]): number {
  let most = 0;
  let j = 0;
  for (let i = 0; i < admitted.length; i++) {
    if (j < i) j = i;
    while (j + 1 < admitted.length && admitted[j + 1] < admitted[i] + WINDOW) j++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/** Admitted requests in (t - WINDOW, t]. */
function inWindowBefore(admitted: readonly number[], t: number): number {
  return admitted.filter((a) => a > t - WINDOW && a <= t).length;
}

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

/** Request times (ms, ascending; equal times are one concurrent burst). */
const schedules: Record<string, () => number[]> = {
  'bursts just before and after each 60 s boundary': () => {
    const times: number[] = [];
    for (let minute = 0; minute < 6; minute++) {
      for (const offset of [-1, 0, 1, 30_000]) for (let k = 0; k < LIMIT + 10; k++) times.push(minute * WINDOW + offset + 1);
    }
    return times;
  },
  'a steady trickle above the rate': () => Array.from({ length: 6000 }, (_, i) => i * 100),
  'random times and burst sizes': () => {
    const next = random(7);
    const times: number[] = [];
    let t = 0;
    while (times.length < 20_000) {
      t += Math.floor(next() * 2500);
      const burst = next() < 0.1 ? Math.floor(next() * 80) : 1;
      for (let k = 0; k < burst; k++) times.push(t);
    }
    return times;
  },
  'half a burst, a trickle, then a burst at the window edge': () => [
    ...Array.from({ length: 25 }, () => 0),
    ...Array.from({ length: 590 }, (_, i) => 100 + i * 100),
    ...Array.from({ length: 60 }, () => 59_999),
    ...Array.from({ length: 60 }, () => 60_000),
    ...Array.from({ length: 60 }, () => 60_001),
  ],
};

describe('no 60-second window, wherever it starts, admits more than the limit (in-process, injected clock)', () => {
  for (const [name, schedule] of Object.entries(schedules)) {
    it(name, () => {
      let now = 0;
      const storage = new MemorySlidingLogStorage({ clock: () => now, sweepIntervalMs: 0 });
      const admitted: number[] = [];
      const refused: number[] = [];
      for (const t of schedule()) {
        now = t;
        (storage.decide('k', LIMIT, WINDOW).admitted ? admitted : refused).push(t);
      }
      expect(busiestWindow(admitted)).toBeLessThanOrEqual(LIMIT);
      // Exact, not merely safe: every refusal came with the whole limit already admitted in its window.
      for (const t of refused) expect(inWindowBefore(admitted, t)).toBe(LIMIT);
      expect(refused.length).toBeGreaterThan(0);
    });
  }

  it('admits a burst of the whole limit at once', () => {
    let now = 0;
    const storage = new MemorySlidingLogStorage({ clock: () => now, sweepIntervalMs: 0 });
    const burst = Array.from({ length: LIMIT }, () => storage.decide('k', LIMIT, WINDOW).admitted);
    expect(burst.every(Boolean)).toBe(true);
    now = 1;
    expect(storage.decide('k', LIMIT, WINDOW).admitted).toBe(false);
  });
});
