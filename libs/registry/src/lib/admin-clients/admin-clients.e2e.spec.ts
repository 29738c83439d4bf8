import { adminClients, consumerSystems, credentials, hashSecret, verifySecret } from '@lgsp/data';
import { eq } from 'drizzle-orm';

import { PEPPER, SETUP_TIMEOUT_MS, startTestRegistry, type TestRegistry } from '../../../test/registry-test.util';

describe('admin clients and consumer credentials through the admin API', () => {
  let registry: TestRegistry;
  let dgo: string;
  let hanoi: string;

  beforeAll(async () => {
    registry = await startTestRegistry();
  }, SETUP_TIMEOUT_MS);
  afterAll(() => registry?.close());
  beforeEach(async () => {
    await registry.truncate();
    dgo = await registry.tokenFor({ clientId: 'dgo', roles: ['dgo-admin'] });
    hanoi = await registry.tokenFor({ clientId: 'hanoi-staff', roles: ['consumer'], organisation: 'tu-ha-noi' });
    await registry.database.db.insert(consumerSystems).values({ id: 'tu-ha-noi.qlcb', name: 'QLCB', organisation: 'tu-ha-noi' });
    await registry.database.db.insert(credentials).values({ clientId: 'hanoi-sandbox', consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox', secretHash: hashSecret('old-secret', PEPPER) });
  });

  it('creates an admin client for a unit, shows its secret once, and revokes it with immediate effect', async () => {
    const created = await registry.call('POST', '/admin/v1/admin-clients', { token: dgo, body: { clientId: 'bnv-dev', name: 'Tổ phát triển, Bộ Nội vụ', roles: ['provider'], organisation: 'bo-noi-vu' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ clientId: 'bnv-dev', roles: ['provider'], organisation: 'bo-noi-vu', status: 'active', clientSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const [row] = await registry.database.db.select().from(adminClients).where(eq(adminClients.clientId, 'bnv-dev'));
    expect(verifySecret(created.body.clientSecret, row.secretHash, PEPPER)).toBe(true);
    expect(JSON.stringify((await registry.call('GET', '/admin/v1/admin-clients', { token: dgo })).body)).not.toContain(row.secretHash);

    const unitless = await registry.call('POST', '/admin/v1/admin-clients', { token: dgo, body: { name: 'x', roles: ['consumer'] } });
    expect(unitless.body).toMatchObject({ status: 422, rule: 'organisation-required' });
    expect((await registry.call('POST', '/admin/v1/admin-clients', { token: dgo, body: { clientId: 'hanoi-sandbox', name: 'x', roles: ['soc-analyst'] } })).status).toBe(409);
    expect((await registry.call('POST', '/admin/v1/admin-clients', { token: hanoi, body: { name: 'x', roles: ['dgo-admin'] } })).status).toBe(403);

    const bnvToken = await registry.tokenFor({ clientId: 'bnv-dev', roles: ['provider'], organisation: 'bo-noi-vu' });
    expect((await registry.call('GET', '/admin/v1/apis', { token: bnvToken })).status).toBe(200);
    expect((await registry.call('POST', '/admin/v1/admin-clients/dgo/revoke', { token: dgo, body: { reason: 'x' } })).body.rule).toBe('self-revocation');
    expect((await registry.call('POST', '/admin/v1/admin-clients/bnv-dev/revoke', { token: dgo, body: { reason: 'Nghỉ việc' } })).body.status).toBe('revoked');
    const refused = await registry.call('GET', '/admin/v1/apis', { token: bnvToken });
    expect(refused.status).toBe(401);
  });

  it("rotates a consumer's Secret Key with an overlap, and revokes a credential", async () => {
    const rotated = await registry.call('POST', '/admin/v1/consumers/tu-ha-noi.qlcb/credentials/hanoi-sandbox/rotate', { token: hanoi });
    expect(rotated.status).toBe(201);
    const [row] = await registry.database.db.select().from(credentials).where(eq(credentials.clientId, 'hanoi-sandbox'));
    expect(verifySecret(rotated.body.clientSecret, row.secretHash, PEPPER)).toBe(true);
    expect(verifySecret('old-secret', row.previousSecretHash!, PEPPER)).toBe(true);
    expect(row.previousSecretExpiresAt!.toISOString()).toBe(rotated.body.previousSecretExpiresAt);

    const hue = await registry.tokenFor({ clientId: 'hue-staff', roles: ['consumer'], organisation: 'tu-hue' });
    expect((await registry.call('POST', '/admin/v1/consumers/tu-ha-noi.qlcb/credentials/hanoi-sandbox/rotate', { token: hue })).status).toBe(404);

    expect((await registry.call('POST', '/admin/v1/consumers/tu-ha-noi.qlcb/credentials/hanoi-sandbox/revoke', { token: dgo, body: { reason: 'Lộ khoá' } })).status).toBe(204);
    expect((await registry.database.db.select().from(credentials))[0].status).toBe('revoked');
    expect((await registry.call('POST', '/admin/v1/consumers/tu-ha-noi.qlcb/credentials/hanoi-sandbox/rotate', { token: dgo })).status).toBe(404);
    const trail = await registry.call('GET', '/admin/v1/audit?targetType=consumer&targetId=tu-ha-noi.qlcb', { token: dgo });
    expect(trail.body.map((e: { action: string }) => e.action)).toEqual(['credential.revoke', 'credential.rotate']);
    expect(JSON.stringify(trail.body)).not.toContain(rotated.body.clientSecret);
  });
});
