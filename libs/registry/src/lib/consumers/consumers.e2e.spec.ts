import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { blocks, certificates, consumerSystems, credentials, rateLimits } from '@lgsp/data';
import { eq } from 'drizzle-orm';

import { publishApi } from '../../../test/fixtures.util';
import { SETUP_TIMEOUT_MS, startTestRegistry, type TestRegistry } from '../../../test/registry-test.util';
import { certificateValidity, parsePemBundle } from '../rules/certificate-chain.util';

const PKI = join(__dirname, '../../../test/fixtures/pki');
const pem = (name: string) => readFileSync(join(PKI, name), 'utf8');

describe('consumer systems, certificates and kill switches through the admin API', () => {
  let registry: TestRegistry;
  let dgo: string;
  let hanoi: string;
  let soc: string;
  const leafNotAfter = certificateValidity(parsePemBundle(pem('leaf-rsa.pem'))[0]).notAfter;

  beforeAll(async () => {
    registry = await startTestRegistry({ trustAnchors: parsePemBundle(pem('root-ca.pem')) });
  }, SETUP_TIMEOUT_MS);
  afterAll(() => registry?.close());
  beforeEach(async () => {
    await registry.truncate();
    registry.setNow(new Date());
    await publishApi(registry.database.db, 'directory', 'v1');
    await registry.database.db.insert(consumerSystems).values({ id: 'tu-ha-noi.qlcb', name: 'QLCB', organisation: 'tu-ha-noi' });
    await registry.database.db.insert(credentials).values({ clientId: 'hanoi-sandbox', consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox', secretHash: 'x' });
    dgo = await registry.tokenFor({ clientId: 'dgo', roles: ['dgo-admin'] });
    hanoi = await registry.tokenFor({ clientId: 'hanoi-staff', roles: ['consumer'], organisation: 'tu-ha-noi' });
    soc = await registry.tokenFor({ clientId: 'soc', roles: ['soc-analyst'] });
  });

  it('suspends, resumes and terminates, telling the gateways each time; termination revokes the credentials for good', async () => {
    const step = (action: string) => registry.call('POST', `/admin/v1/consumers/tu-ha-noi.qlcb/${action}`, { token: dgo, body: { reason: 'test' } });
    expect((await step('resume')).status).toBe(409);
    expect((await step('suspend')).body.status).toBe('suspended');
    expect((await step('suspend')).status).toBe(409);
    expect((await step('resume')).body.status).toBe('active');
    expect((await step('terminate')).body.status).toBe('terminated');
    expect((await step('resume')).status).toBe(409);
    const [credential] = await registry.database.db.select().from(credentials);
    expect(credential.status).toBe('revoked');
    expect(registry.published.filter((c) => c.kind === 'registry')).toHaveLength(3);
    const suspendByConsumer = await registry.call('POST', '/admin/v1/consumers/tu-ha-noi.qlcb/suspend', { token: hanoi, body: { reason: 'x' } });
    expect(suspendByConsumer.status).toBe(403);
  });

  it('shows a consumer its own systems only, without secret hashes', async () => {
    const mine = await registry.call('GET', '/admin/v1/consumers/tu-ha-noi.qlcb', { token: hanoi });
    expect(mine.status).toBe(200);
    expect(mine.body.credentials).toEqual([expect.objectContaining({ clientId: 'hanoi-sandbox', environment: 'sandbox', status: 'active' })]);
    expect(JSON.stringify(mine.body)).not.toContain('secretHash');
    const hue = await registry.tokenFor({ clientId: 'hue-staff', roles: ['consumer'], organisation: 'tu-hue' });
    expect((await registry.call('GET', '/admin/v1/consumers/tu-ha-noi.qlcb', { token: hue })).status).toBe(404);
    expect((await registry.call('GET', '/admin/v1/consumers', { token: hue })).body).toEqual([]);
  });

  it('sets rate-limit overrides per consumer and per API, with a reason in the audit trail', async () => {
    const set = await registry.call('PUT', '/admin/v1/consumers/tu-ha-noi.qlcb/limits', { token: dgo, body: { readPerMinute: 5000, writePerMinute: 500, reason: 'Đồng bộ' } });
    expect(set.status).toBe(200);
    await registry.call('PUT', '/admin/v1/consumers/tu-ha-noi.qlcb/limits', { token: dgo, body: { api: 'directory', version: 'v1', readPerMinute: 50, writePerMinute: 5, reason: 'Giới hạn riêng' } });
    await registry.call('PUT', '/admin/v1/consumers/tu-ha-noi.qlcb/limits', { token: dgo, body: { readPerMinute: 6000, writePerMinute: 500, reason: 'Tăng' } });
    const rows = await registry.database.db.select({ read: rateLimits.readPerMinute, version: rateLimits.apiVersionId }).from(rateLimits);
    expect(rows.map((r) => r.read).sort()).toEqual([50, 6000]);
    const trail = await registry.call('GET', '/admin/v1/audit?targetType=consumer', { token: soc });
    expect(trail.body[0]).toMatchObject({ action: 'consumer.set-limit', before: { readPerMinute: 5000 }, after: { readPerMinute: 6000 }, reason: 'Tăng' });
  });

  it('registers a certificate that chains to the trust anchors, lists it before it expires, and revokes it', async () => {
    const added = await registry.call('POST', '/admin/v1/consumers/tu-ha-noi.qlcb/certificates', { token: hanoi, body: { id: 'hanoi-2026', pem: pem('leaf-rsa.pem') } });
    expect(added.status).toBe(201);
    const [row] = await registry.database.db.select().from(certificates);
    expect(row).toMatchObject({ id: 'hanoi-2026', consumerId: 'tu-ha-noi.qlcb', status: 'active', fingerprintSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Only the leaf is stored: the intermediate that came with it is not the consumer's key.
    expect(row.pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);

    expect((await registry.call('GET', '/admin/v1/certificates/expiring', { token: dgo })).body).toEqual([]);
    registry.setNow(new Date(leafNotAfter.getTime() - 29 * 86_400_000));
    expect((await registry.call('GET', '/admin/v1/certificates/expiring', { token: dgo })).body).toEqual([expect.objectContaining({ id: 'hanoi-2026', expired: false })]);

    const again = await registry.call('POST', '/admin/v1/consumers/tu-ha-noi.qlcb/certificates', { token: dgo, body: { id: 'other-id', pem: pem('leaf-rsa.pem') } });
    expect(again.status).toBe(409);

    const revoked = await registry.call('DELETE', '/admin/v1/consumers/tu-ha-noi.qlcb/certificates/hanoi-2026', { token: dgo, body: { reason: 'Lộ khoá' } });
    expect(revoked.status).toBe(204);
    expect((await registry.database.db.select().from(certificates))[0].status).toBe('revoked');
  });

  it.each([
    ['leaf-other.pem', 'certificate-untrusted'],
    ['self-signed.pem', 'certificate-untrusted'],
    ['not-a-ca-issuer.pem', 'certificate-not-a-ca'],
  ])('refuses %s with 422 %s and stores nothing', async (file, rule) => {
    const refused = await registry.call('POST', '/admin/v1/consumers/tu-ha-noi.qlcb/certificates', { token: dgo, body: { id: 'x', pem: pem(file) } });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'unprocessable', rule, errors: [expect.objectContaining({ location: '/pem' })] });
    expect(await registry.database.db.select().from(certificates)).toEqual([]);
  });

  it('refuses an expired certificate', async () => {
    registry.setNow(new Date(leafNotAfter.getTime() + 1000));
    const refused = await registry.call('POST', '/admin/v1/consumers/tu-ha-noi.qlcb/certificates', { token: dgo, body: { id: 'x', pem: pem('leaf-rsa.pem') } });
    expect(refused.body.rule).toBe('certificate-expired');
  });

  it('blocks a version, an operation or a provider at once, with a window, and lifts it', async () => {
    const block = (body: Record<string, unknown>) => registry.call('POST', '/admin/v1/blocks', { token: dgo, body: { reason: 'Bảo trì', ...body } });
    const version = await block({ scope: 'api-version', api: 'directory', version: 'v1', endsAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(version.status).toBe(201);
    expect(version.body).toMatchObject({ scope: 'api-version', api: 'directory', version: 'v1', createdBy: 'dgo', liftedAt: null });
    expect((await block({ scope: 'operation', api: 'directory', version: 'v1', operation: 'GET /organisations' })).status).toBe(201);
    expect((await block({ scope: 'operation', api: 'directory', version: 'v1', operation: 'DELETE /organisations' })).body.rule).toBe('operation-unknown');
    expect((await block({ scope: 'provider', provider: 'bo-noi-vu' })).status).toBe(201);
    expect((await block({ scope: 'provider', provider: 'nobody' })).status).toBe(404);
    expect((await block({ scope: 'api-version', api: 'directory' })).body.rule).toBe('block-target');
    expect(registry.published.filter((c) => c.kind === 'registry')).toHaveLength(3);

    expect((await registry.call('GET', '/admin/v1/blocks', { token: soc })).body).toHaveLength(3);
    expect((await registry.call('POST', '/admin/v1/blocks', { token: soc, body: { scope: 'provider', provider: 'bo-noi-vu', reason: 'x' } })).status).toBe(403);
    const lifted = await registry.call('POST', `/admin/v1/blocks/${version.body.id}/lift`, { token: dgo, body: { reason: 'Xong' } });
    expect(lifted.body.liftedBy).toBe('dgo');
    expect((await registry.call('POST', `/admin/v1/blocks/${version.body.id}/lift`, { token: dgo, body: { reason: 'Xong' } })).status).toBe(404);
    expect((await registry.call('GET', '/admin/v1/blocks', { token: dgo })).body).toHaveLength(2);
    expect((await registry.database.db.select().from(blocks).where(eq(blocks.id, version.body.id)))[0].liftedAt).not.toBeNull();
  });
});
