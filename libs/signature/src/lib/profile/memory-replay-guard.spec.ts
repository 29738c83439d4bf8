import { MemoryReplayGuard } from './memory-replay-guard';

describe('MemoryReplayGuard', () => {
  let now: number;
  beforeEach(() => {
    now = 1_800_000_000_000;
  });
  const guard = (options: { sweepIntervalMs?: number; maxEntries?: number } = {}) => new MemoryReplayGuard({ now: () => now, ...options });

  it('answers false the first time, true while the entry lives, false again once it expired', async () => {
    const replay = guard();
    expect(await replay.seen('c', 'r', 10)).toBe(false);
    expect(await replay.seen('c', 'r', 10)).toBe(true);
    now += 9_999;
    expect(await replay.seen('c', 'r', 10)).toBe(true);
    now += 1;
    expect(await replay.seen('c', 'r', 10)).toBe(false);
  });

  it('keeps consumer systems apart', async () => {
    const replay = guard();
    expect(await replay.seen('a', 'r', 10)).toBe(false);
    expect(await replay.seen('b', 'r', 10)).toBe(false);
    expect(await replay.seen('a', 'r', 10)).toBe(true);
  });

  it('lets one of two concurrent calls through', async () => {
    const replay = guard();
    expect((await Promise.all([replay.seen('c', 'r', 10), replay.seen('c', 'r', 10)])).sort()).toEqual([false, true]);
  });

  it('sweeps expired entries as calls come, without a timer', async () => {
    const replay = guard({ sweepIntervalMs: 1000 });
    for (let i = 0; i < 100; i++) await replay.seen('c', `r${i}`, 1);
    now += 1000;
    expect(replay.size).toBe(0);
    await replay.seen('c', 'later', 60);
    expect((replay as unknown as { entries: Map<string, number> }).entries.size).toBe(1);
  });

  it('drops the oldest entries beyond maxEntries', async () => {
    const replay = guard({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c', 'd']) await replay.seen('c', id, 60);
    expect(replay.size).toBe(3);
    expect(await replay.seen('c', 'd', 60)).toBe(true);
    expect(await replay.seen('c', 'a', 60)).toBe(false);
  });

  it('refuses a TTL that is not positive', async () => {
    await expect(guard().seen('c', 'r', 0)).rejects.toThrow(RangeError);
    await expect(guard().seen('c', 'r', Number.NaN)).rejects.toThrow(RangeError);
  });
});
