import { createPublicKey } from 'node:crypto';

import { configFrom, ConfigError } from '@lgsp/config';
import type { RegistryChange } from '@lgsp/contracts';
import { InProcessChangeChannel, iamSigningKeys } from '@lgsp/data';
import { createLogger } from '@lgsp/observability';

import type { TestDb } from '../../../test/iam-test.util';
import { KEY_ENCRYPTION_KEY, SETUP_TIMEOUT_MS, TestClock, openTestDb } from '../../../test/iam-test.util';
import { decryptPrivateKey, deriveKeyEncryptionKey } from './key-encryption.util';
import { SigningKeyService } from './signing-key.service';

const T0 = new Date('2026-11-23T00:00:00Z');

describe.each(['pglite', 'postgres'] as const)('SigningKeyService on %s', (kind) => {
  let t: TestDb;
  const config = configFrom({});
  const logger = createLogger({ service: 'test', level: 'silent' });
  const services: SigningKeyService[] = [];

  beforeAll(async () => {
    t = await openTestDb(kind);
  }, SETUP_TIMEOUT_MS);
  afterAll(() => t.close());
  beforeEach(() => t.truncate());
  afterEach(() => services.splice(0).forEach((s) => s.stop()));

  function replica(changes: InProcessChangeChannel, clock: TestClock, keyEncryptionKey = KEY_ENCRYPTION_KEY): SigningKeyService {
    const service = new SigningKeyService({ db: t.database.db, config, keyEncryptionKey, changes, logger, clock: clock.now, maintenanceIntervalMs: 60_000 });
    services.push(service);
    return service;
  }

  it('creates the first key at start, announces it once, and a restart reuses it', async () => {
    const changes = new InProcessChangeChannel();
    const heard: RegistryChange[] = [];
    changes.subscribe((change) => heard.push(change));
    const clock = new TestClock(T0);
    const first = replica(changes, clock);
    await first.start();
    const kid = first.currentSigningKey()?.kid;
    expect(kid).toEqual(expect.any(String));
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual([{ kind: 'signing-keys' }]);
    first.stop();

    const restarted = replica(changes, clock);
    await restarted.start();
    expect(restarted.currentSigningKey()?.kid).toBe(kid);
    expect(await t.database.db.select().from(iamSigningKeys)).toHaveLength(1);
  });

  it('lets replicas that start together create one key between them (advisory lock)', async () => {
    const changes = new InProcessChangeChannel();
    const clock = new TestClock(T0);
    const replicas = [replica(changes, clock), replica(changes, clock), replica(changes, clock)];
    const created = await Promise.all(replicas.map((r) => r.ensureSigningKeys()));
    expect(created.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await t.database.db.select().from(iamSigningKeys)).toHaveLength(1);
    expect(new Set(replicas.map((r) => r.currentSigningKey()?.kid)).size).toBe(1);
  });

  it('keeps the private key only as ciphertext that this key-encryption key alone decrypts', async () => {
    const clock = new TestClock(T0);
    const service = replica(new InProcessChangeChannel(), clock);
    await service.start();
    const [row] = await t.database.db.select().from(iamSigningKeys);
    const loaded = service.currentSigningKey();
    if (loaded === undefined) throw new Error('no key');
    const pkcs8 = loaded.privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(row.privateKeyCiphertext).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(pkcs8.toString('base64'));
    expect(JSON.stringify(row)).not.toContain(pkcs8.toString('base64url').slice(-60));
    expect(JSON.stringify(row)).not.toContain(pkcs8.toString('hex').slice(-60));
    expect(row.publicJwk).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) });
    expect(createPublicKey({ key: row.publicJwk as never, format: 'jwk' }).export({ format: 'jwk' })).toEqual(loaded.publicKey.export({ format: 'jwk' }));
    expect(decryptPrivateKey(row.privateKeyCiphertext, deriveKeyEncryptionKey(KEY_ENCRYPTION_KEY), row.kid)).toEqual(pkcs8);
    expect(() => decryptPrivateKey(row.privateKeyCiphertext, deriveKeyEncryptionKey('not-the-key-encryption-key-of-32-chars'), row.kid)).toThrow();

    const wrong = replica(new InProcessChangeChannel(), clock, 'not-the-key-encryption-key-of-32-chars');
    const failure = await wrong.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toContain('LGSP_KEY_ENCRYPTION_KEY');
  });

  it('loads a key another replica created when it is announced', async () => {
    const changes = new InProcessChangeChannel();
    const clock = new TestClock(T0);
    const a = replica(changes, clock);
    const b = replica(changes, clock);
    await a.start();
    await b.start();
    // a's successor, created ahead of a's retirement, reaches b through the channel.
    clock.set(new Date(a.currentSigningKey()!.retiresAt.getTime() - 700_000));
    expect(await a.ensureSigningKeys()).toBe(1);
    for (let i = 0; i < 50 && b.loadedKeys().length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(b.loadedKeys().map((k) => k.kid)).toEqual(a.loadedKeys().map((k) => k.kid));
    expect(b.loadedKeys()).toHaveLength(2);
  });
});
