import type { LgspError } from '@lgsp/contracts';
import { InProcessChangeChannel } from '@lgsp/data';
import { createLogger } from '@lgsp/observability';
import type { JWK } from 'jose';

import { TestTokenMinter, testSigningKey } from '../../../test/test-tokens.util';
import type { TestSigningKey } from '../../../test/test-tokens.util';
import type { GatewayContext } from '../chain/gateway-context.type';
import { AccessTokenVerifier } from '../policies/authenticate/access-token-verifier.service';
import type { Jwks, JwksSource } from './jwks-state.service';
import { JwksState } from './jwks-state.service';

const ISSUER = 'https://lgsp.example.gov.vn';

/** IAM's published keys as the gateway reads them, counting the reads; `failing` makes them fail. */
class PublishedKeys implements JwksSource {
  keys: JWK[] = [];
  loads = 0;
  failing = false;
  async load(): Promise<Jwks> {
    this.loads++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.failing) throw new Error('IAM is down');
    return { keys: [...this.keys] };
  }
}

function contextWith(token: string): GatewayContext {
  return { request: { headers: { authorization: `Bearer ${token}` } } } as unknown as GatewayContext;
}

describe('JwksState with the authenticate policy: keys that change', () => {
  let now: number;
  const clock = () => now;
  const lines: string[] = [];
  const logger = createLogger({ service: 'test', level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  let channel: InProcessChangeChannel;
  let published: PublishedKeys;
  let jwks: JwksState;
  let verifier: AccessTokenVerifier;
  let minter: TestTokenMinter;
  let oldKey: TestSigningKey;
  let newKey: TestSigningKey;

  const accept = async (token: string) => (await verifier.handle(contextWith(token))) as LgspError | undefined;

  beforeAll(async () => {
    [oldKey, newKey] = await Promise.all([testSigningKey('key-2026-10'), testSigningKey('key-2026-11')]);
  });

  beforeEach(async () => {
    now = Date.parse('2026-11-23T08:00:00Z');
    lines.length = 0;
    channel = new InProcessChangeChannel();
    published = new PublishedKeys();
    published.keys = [oldKey.publicJwk];
    jwks = new JwksState(published, channel, logger, { refreshIntervalMs: 3_600_000 });
    await jwks.start();
    verifier = new AccessTokenVerifier(
      { clockToleranceSeconds: 30, claimsCacheMaxEntries: 1000, unknownKidRefetchIntervalMs: 5000, maxTokenLength: 8192 },
      { keys: jwks, revocations: { isRevoked: () => false }, issuer: ISSUER, audience: ISSUER },
      clock,
    );
    minter = new TestTokenMinter(ISSUER, clock);
  });

  afterEach(async () => {
    jwks.stop();
    await channel.close();
  });

  it('is ready once a key is loaded, and rebuilds its key set only when the published keys change', async () => {
    expect({ loaded: jwks.loaded, keys: jwks.keyCount, loads: published.loads }).toEqual({ loaded: true, keys: 1, loads: 1 });
    await jwks.refresh();
    await jwks.refresh();
    expect(published.loads).toBe(3);
    expect(lines.filter((l) => l.includes('"jwks-loaded"'))).toHaveLength(1);
    published.keys = [oldKey.publicJwk, newKey.publicJwk];
    await jwks.refresh();
    expect(lines.filter((l) => l.includes('"jwks-loaded"'))).toHaveLength(2);
    expect(jwks.keyCount).toBe(2);
  });

  it('is not ready while no key has ever been loaded', async () => {
    const empty = new JwksState({ load: async () => ({ keys: [] }) }, channel, logger, { refreshIntervalMs: 3_600_000 });
    await empty.start();
    expect(empty.loaded).toBe(false);
    empty.stop();
  });

  it('meets an unknown kid with one reload, then accepts the token if the new set has it', async () => {
    published.keys = [oldKey.publicJwk, newKey.publicJwk];
    expect(await accept(await minter.mint(newKey))).toBeUndefined();
    expect(published.loads).toBe(2);
    // Known now: no further reload.
    expect(await accept(await minter.mint(newKey))).toBeUndefined();
    expect(published.loads).toBe(2);
  });

  it('reloads at most once per interval however many unknown kids arrive, and refuses them all', async () => {
    const garbage = await Promise.all(Array.from({ length: 200 }, (_, i) => minter.mint({ ...newKey, kid: `made-up-${i}` })));
    const burst = await Promise.all(garbage.slice(0, 100).map(accept));
    expect(burst.every((r) => r?.detail?.includes('does not publish'))).toBe(true);
    expect(published.loads).toBe(2);
    now += 4_000;
    for (const token of garbage.slice(100, 150)) expect((await accept(token))?.detail).toMatch(/does not publish/);
    expect(published.loads).toBe(2);
    now += 1_000;
    const next = await Promise.all(garbage.slice(150).map(accept));
    expect(next.every((r) => r?.code === 'invalid_token')).toBe(true);
    expect(published.loads).toBe(3);
  });

  it('rotates keys without a failed request: old and new tokens both pass across the switch', async () => {
    const oldTokens = await Promise.all(Array.from({ length: 20 }, () => minter.mint(oldKey)));
    const newTokens = await Promise.all(Array.from({ length: 20 }, () => minter.mint(newKey)));
    // Before: only the old key is published; IAM publishes the next key ahead of signing with it.
    for (const token of oldTokens.slice(0, 5)) expect(await accept(token)).toBeUndefined();
    published.keys = [oldKey.publicJwk, newKey.publicJwk];
    await channel.publish({ kind: 'signing-keys' });
    // The switch: tokens of both keys interleaved, some before the reload the change caused has ended.
    const during = await Promise.all(oldTokens.slice(5).flatMap((token, i) => [accept(token), accept(newTokens[i])]));
    expect(during.filter((r) => r !== undefined)).toEqual([]);
    // After: the old key stays published until its last token expired, then goes.
    now += 3_600_000 + 60_000;
    published.keys = [newKey.publicJwk];
    await jwks.refresh();
    expect(await accept(await minter.mint(newKey))).toBeUndefined();
    expect((await accept(await minter.mint(oldKey)))?.detail).toMatch(/does not publish/);
  });

  it('takes a new key on a signing-keys change and on resync, without waiting for its timer', async () => {
    published.keys = [newKey.publicJwk];
    await channel.publish({ kind: 'signing-keys' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(published.loads).toBe(2);
    await channel.publish({ kind: 'resync' });
    await channel.publish({ kind: 'registry' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(published.loads).toBe(3);
  });

  it('keeps the last good keys when a reload fails or the JWKS is malformed', async () => {
    const token = await minter.mint(oldKey);
    published.failing = true;
    await jwks.refresh();
    expect(lines.some((l) => l.includes('"jwks-load-failed"'))).toBe(true);
    published.failing = false;
    published.keys = [{ kty: 'EC', kid: 'broken' } as JWK, 'not a key' as unknown as JWK];
    await jwks.refresh();
    expect(lines.some((l) => l.includes('"jwks-invalid"'))).toBe(true);
    expect(jwks.loaded).toBe(true);
    expect(await accept(token)).toBeUndefined();
  });

  it('refreshes on its timer, and sooner while nothing is loaded', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    try {
      const source = { loads: 0, keys: [] as JWK[], async load() { this.loads++; return { keys: this.keys }; } };
      const timed = new JwksState(source, channel, logger, { refreshIntervalMs: 300_000, retryIntervalMs: 5_000 });
      await timed.start();
      expect(timed.loaded).toBe(false);
      await jest.advanceTimersByTimeAsync(5_000);
      expect(source.loads).toBe(2);
      source.keys = [oldKey.publicJwk];
      await jest.advanceTimersByTimeAsync(5_000);
      expect(timed.loaded).toBe(true);
      await jest.advanceTimersByTimeAsync(299_000);
      expect(source.loads).toBe(3);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(source.loads).toBe(4);
      timed.stop();
      await jest.advanceTimersByTimeAsync(600_000);
      expect(source.loads).toBe(4);
    } finally {
      jest.useRealTimers();
    }
  });
});
