import { adminClients, apis, apiVersions, consumerSystems, credentials, iamSigningKeys, subscriptions } from '../schema';
import { hashSecret } from '../secret-hash.util';
import { DATABASE_KINDS, SETUP_TIMEOUT_MS, openTestDatabase } from '../../../test/test-database.util';
import type { TestLgspDatabase } from '../../../test/test-database.util';
import { findAdminClient, findConsumerClient, listSubscribedApiVersions } from './iam-clients.util';
import { createFirstAdminClient, insertCredential, rotateCredentialSecret } from './iam-credentials.util';
import { insertRevokedToken, isTokenRevoked } from './iam-revocations.util';
import { insertSigningKey, listLiveSigningKeys, withSigningKeyLock } from './iam-signing-keys.util';

const NOW = new Date('2026-11-23T00:00:00Z');
const at = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000);
const HASH = hashSecret('secret', 'pepper-pepper-pepper-pepper-pepper-00');

describe.each(DATABASE_KINDS)('IAM data access on %s', (kind) => {
  let t: TestLgspDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  }, SETUP_TIMEOUT_MS);
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.truncate();
    await t.database.db.insert(consumerSystems).values([
      { id: 'c1', name: 'c1' },
      { id: 'c2', name: 'c2', status: 'suspended' },
    ]);
  });

  it('finds a credential with its consumer status, and an admin client', async () => {
    await t.database.db.insert(credentials).values({ clientId: 'k', consumerId: 'c2', environment: 'production', secretHash: HASH, tokenTtlSeconds: 600 });
    await t.database.db.insert(adminClients).values({ clientId: 'a', roles: ['soc-analyst'], secretHash: HASH });
    expect(await findConsumerClient(t.database.db, 'k')).toEqual({
      clientId: 'k',
      consumerId: 'c2',
      consumerStatus: 'suspended',
      environment: 'production',
      status: 'active',
      secretHash: HASH,
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      tokenTtlSeconds: 600,
    });
    expect(await findConsumerClient(t.database.db, 'a')).toBeUndefined();
    expect(await findAdminClient(t.database.db, 'a')).toEqual({ clientId: 'a', roles: ['soc-analyst'], secretHash: HASH, status: 'active' });
  });

  it('lists the published and deprecated versions a consumer is subscribed to in one environment', async () => {
    const [api] = await t.database.db.insert(apis).values([{ domain: 'directory' }, { domain: 'archive' }]).returning({ id: apis.id });
    const version = (v: string, status: 'draft' | 'published' | 'deprecated' | 'retired') => ({
      apiId: api.id,
      version: v,
      status,
      classification: 'noi-bo' as const,
      upstreamSandbox: 'http://x',
      upstreamProduction: 'http://x',
      openapi: {},
      openapiSha256: 'x',
    });
    const rows = await t.database.db
      .insert(apiVersions)
      .values([version('v1', 'published'), version('v2', 'deprecated'), version('v3', 'draft'), version('v4', 'retired')])
      .returning({ id: apiVersions.id });
    await t.database.db.insert(subscriptions).values([
      ...rows.map((r) => ({ consumerId: 'c1', apiVersionId: r.id, environment: 'sandbox' as const })),
      { consumerId: 'c1', apiVersionId: rows[0].id, environment: 'production' as const },
    ]);
    expect(await listSubscribedApiVersions(t.database.db, 'c1', 'sandbox')).toEqual([
      { domain: 'directory', version: 'v1' },
      { domain: 'directory', version: 'v2' },
    ]);
    expect(await listSubscribedApiVersions(t.database.db, 'c1', 'production')).toEqual([{ domain: 'directory', version: 'v1' }]);
    expect(await listSubscribedApiVersions(t.database.db, 'c2', 'sandbox')).toEqual([]);
  });

  it('inserts a credential unless the consumer is unknown or the client id is taken', async () => {
    await t.database.db.insert(adminClients).values({ clientId: 'admin', roles: ['dgo-admin'], secretHash: HASH });
    const base = { consumerId: 'c1', environment: 'sandbox' as const, secretHash: HASH };
    expect(await insertCredential(t.database.db, { ...base, clientId: 'new' })).toEqual({ inserted: true });
    expect(await insertCredential(t.database.db, { ...base, clientId: 'new' })).toEqual({ inserted: false, reason: 'client-id-taken' });
    expect(await insertCredential(t.database.db, { ...base, clientId: 'admin' })).toEqual({ inserted: false, reason: 'client-id-taken' });
    expect(await insertCredential(t.database.db, { ...base, clientId: 'x', consumerId: 'nobody' })).toEqual({ inserted: false, reason: 'consumer-unknown' });
  });

  it('rotates an active credential’s secret, keeping the previous one until the given time', async () => {
    await t.database.db.insert(credentials).values([
      { clientId: 'k', consumerId: 'c1', environment: 'sandbox', secretHash: 'old' },
      { clientId: 'revoked', consumerId: 'c1', environment: 'sandbox', secretHash: 'old', status: 'revoked' },
    ]);
    expect(await rotateCredentialSecret(t.database.db, 'k', 'new', at(24))).toBe(true);
    expect(await findConsumerClient(t.database.db, 'k')).toMatchObject({ secretHash: 'new', previousSecretHash: 'old', previousSecretExpiresAt: at(24) });
    expect(await rotateCredentialSecret(t.database.db, 'revoked', 'new', at(24))).toBe(false);
    expect(await rotateCredentialSecret(t.database.db, 'nobody', 'new', at(24))).toBe(false);
  });

  it('creates the first admin client only, even when asked twice at once', async () => {
    const results = await Promise.all([
      createFirstAdminClient(t.database.db, { clientId: 'one', roles: ['dgo-admin'], secretHash: HASH }),
      createFirstAdminClient(t.database.db, { clientId: 'two', roles: ['dgo-admin'], secretHash: HASH }),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results.find((r) => !r.created)).toMatchObject({ created: false, reason: 'admin-exists' });
    expect(await t.database.db.select().from(adminClients)).toHaveLength(1);
  });

  it('records a revocation once and answers whether a token is revoked until it expires', async () => {
    expect(await insertRevokedToken(t.database.db, { jti: 'j', clientId: 'k', expiresAt: at(1) })).toBe(true);
    expect(await insertRevokedToken(t.database.db, { jti: 'j', clientId: 'k', expiresAt: at(1) })).toBe(false);
    expect(await isTokenRevoked(t.database.db, 'j', NOW)).toBe(true);
    expect(await isTokenRevoked(t.database.db, 'j', at(2))).toBe(false);
    expect(await isTokenRevoked(t.database.db, 'other', NOW)).toBe(false);
  });

  it('writes signing keys under the lock and lists those still published', async () => {
    const key = (kid: string, expires: number) => ({ kid, alg: 'ES256', publicJwk: { kty: 'EC' }, privateKeyCiphertext: 'v1.x', activatesAt: at(-10), retiresAt: at(expires - 1), expiresAt: at(expires) });
    await withSigningKeyLock(t.database.db, async (tx) => {
      await insertSigningKey(tx, key('gone', -1));
      await insertSigningKey(tx, key('live', 5));
    });
    expect((await listLiveSigningKeys(t.database.db, NOW)).map((k) => k.kid)).toEqual(['live']);
    expect(await t.database.db.select().from(iamSigningKeys)).toHaveLength(2);
  });
});
