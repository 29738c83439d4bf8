import type { ActiveRevocation } from '@lgsp/data';
import { InProcessChangeChannel } from '@lgsp/data';
import { createLogger } from '@lgsp/observability';

import { RevocationSet } from './revocation-set.service';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('RevocationSet', () => {
  let now: number;
  const clock = () => now;
  const seconds = (offset: number) => Math.floor(now / 1000) + offset;
  const lines: string[] = [];
  const logger = createLogger({ service: 'test', level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  let channel: InProcessChangeChannel;
  let stored: ActiveRevocation[];
  let failing: boolean;
  let loads: number;
  let set: RevocationSet;

  beforeEach(async () => {
    now = Date.parse('2026-11-23T08:00:00Z');
    channel = new InProcessChangeChannel();
    stored = [{ jti: 'revoked-before-start', exp: seconds(600) }];
    failing = false;
    loads = 0;
    set = new RevocationSet(
      {
        loadActive: async () => {
          loads++;
          if (failing) throw new Error('database unreachable');
          return [...stored];
        },
      },
      channel,
      logger,
      { clock, retryIntervalMs: 20, pruneIntervalMs: 3_600_000 },
    );
  });

  afterEach(async () => {
    set.stop();
    await channel.close();
  });

  it('loads the active revocations at start and is then ready', async () => {
    expect(set.loaded).toBe(false);
    await set.start();
    expect(set.loaded).toBe(true);
    expect(set.isRevoked('revoked-before-start')).toBe(true);
    expect(set.isRevoked('never-revoked')).toBe(false);
  });

  it('adds each token-revoked change as it arrives, ignoring ones already expired or malformed', async () => {
    await set.start();
    await channel.publish({ kind: 'token-revoked', jti: 'j-live', exp: seconds(60) });
    await channel.publish({ kind: 'token-revoked', jti: 'j-moot', exp: seconds(-1) });
    await channel.publish({ kind: 'token-revoked', jti: 42, exp: 'soon' } as never);
    await tick();
    expect([set.isRevoked('j-live'), set.isRevoked('j-moot'), set.size]).toEqual([true, false, 2]);
  });

  it('reloads on resync and merges: nothing heard before is forgotten', async () => {
    await set.start();
    await channel.publish({ kind: 'token-revoked', jti: 'heard-live', exp: seconds(60) });
    stored.push({ jti: 'missed-while-away', exp: seconds(60) });
    await channel.publish({ kind: 'resync' });
    await tick();
    expect(loads).toBe(2);
    expect(['revoked-before-start', 'heard-live', 'missed-while-away'].map((jti) => set.isRevoked(jti))).toEqual([true, true, true]);
  });

  it('prunes entries whose tokens have expired anyway', async () => {
    await set.start();
    set.add('short', seconds(30));
    now += 31_000;
    set.prune();
    expect([set.isRevoked('short'), set.isRevoked('revoked-before-start')]).toEqual([false, true]);
  });

  it('retries a failed load until it succeeds, not ready meanwhile, and hears revocations all along', async () => {
    failing = true;
    await set.start();
    expect(set.loaded).toBe(false);
    await channel.publish({ kind: 'token-revoked', jti: 'during-outage', exp: seconds(60) });
    await tick();
    expect(set.isRevoked('during-outage')).toBe(true);
    failing = false;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(set.loaded).toBe(true);
    expect(set.isRevoked('revoked-before-start')).toBe(true);
    expect(lines.some((l) => l.includes('"revocations-load-failed"'))).toBe(true);
  });
});
