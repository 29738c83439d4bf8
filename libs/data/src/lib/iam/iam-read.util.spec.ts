import { iamRevokedTokens, iamSigningKeys } from '../schema';
import { DATABASE_KINDS, SETUP_TIMEOUT_MS, openTestDatabase } from '../../../test/test-database.util';
import type { TestLgspDatabase } from '../../../test/test-database.util';
import { loadActiveRevocations, loadPublishedJwks } from './iam-read.util';

const NOW = new Date('2026-11-23T00:00:00Z');
const at = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000);

describe.each(DATABASE_KINDS)('IAM reads on %s', (kind) => {
  let t: TestLgspDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  }, SETUP_TIMEOUT_MS);
  afterAll(() => t.close());
  beforeEach(() => t.truncate());

  it('publishes every key until its last token expired, next keys included, public halves only', async () => {
    const jwk = (x: string) => ({ kty: 'EC', crv: 'P-256', x, y: 'y' });
    await t.database.db.insert(iamSigningKeys).values([
      { kid: 'gone', publicJwk: jwk('a'), privateKeyCiphertext: 'c', activatesAt: at(-100), retiresAt: at(-50), expiresAt: at(-49) },
      { kid: 'retired-still-valid', publicJwk: jwk('b'), privateKeyCiphertext: 'c', activatesAt: at(-50), retiresAt: at(-1), expiresAt: at(0.5) },
      { kid: 'current', publicJwk: jwk('c'), privateKeyCiphertext: 'c', activatesAt: at(-1), retiresAt: at(700), expiresAt: at(701) },
      { kid: 'next', publicJwk: jwk('d'), privateKeyCiphertext: 'c', activatesAt: at(0.2), retiresAt: at(900), expiresAt: at(901) },
    ]);
    const { keys } = await loadPublishedJwks(t.database.db, NOW);
    expect(keys).toEqual([
      { kty: 'EC', crv: 'P-256', x: 'b', y: 'y', kid: 'retired-still-valid', alg: 'ES256', use: 'sig' },
      { kty: 'EC', crv: 'P-256', x: 'c', y: 'y', kid: 'current', alg: 'ES256', use: 'sig' },
      { kty: 'EC', crv: 'P-256', x: 'd', y: 'y', kid: 'next', alg: 'ES256', use: 'sig' },
    ]);
    expect(JSON.stringify(keys)).not.toContain('privateKey');
  });

  it('lists revocations whose tokens have not expired', async () => {
    await t.database.db.insert(iamRevokedTokens).values([
      { jti: 'old', clientId: 'c', expiresAt: at(-1) },
      { jti: 'live', clientId: 'c', expiresAt: new Date('2026-11-23T00:30:00Z') },
    ]);
    expect(await loadActiveRevocations(t.database.db, NOW)).toEqual([{ jti: 'live', exp: Date.parse('2026-11-23T00:30:00Z') / 1000 }]);
  });
});
