import { generateKeyPairSync, randomUUID } from 'node:crypto';

import type { RegistryChange } from '@lgsp/contracts';
import { consumerSystems, iamRevokedTokens } from '@lgsp/data';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { eq } from 'drizzle-orm';
import { request } from 'undici';

import type { RunningIam, TestDb } from '../../../test/iam-test.util';
import { FORM, SETUP_TIMEOUT_MS, basic, openTestDb, seedAdmin, seedApiVersion, seedConsumer, seedCredential, startIam, subscribe } from '../../../test/iam-test.util';

const SECRET = 'revocation-secret-revocation-secret-revoc';

describe.each(['pglite', 'postgres'] as const)('revocation (RFC 7009) and introspection (RFC 7662) on %s', (kind) => {
  let t: TestDb;
  let iam: RunningIam;
  const heard: RegistryChange[] = [];

  beforeAll(async () => {
    t = await openTestDb(kind);
    const db = t.database;
    await seedConsumer(db, { id: 'tu-ha-noi.qlcb' });
    await seedConsumer(db, { id: 'bo-noi-vu.hrm' });
    await subscribe(db, 'tu-ha-noi.qlcb', await seedApiVersion(db, 'directory', 'v1'), 'sandbox');
    await seedCredential(db, { clientId: 'owner', consumerId: 'tu-ha-noi.qlcb', secret: SECRET });
    await seedCredential(db, { clientId: 'stranger', consumerId: 'bo-noi-vu.hrm', secret: SECRET });
    await seedAdmin(db, 'dgo', SECRET, ['dgo-admin']);
    await seedAdmin(db, 'soc', SECRET, ['soc-analyst']);
    await seedAdmin(db, 'provider-staff', SECRET, ['provider']);
    iam = await startIam({ database: db });
    iam.changes.subscribe((change) => heard.push(change));
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await iam?.close();
    await t?.close();
  });

  beforeEach(() => {
    heard.length = 0;
  });

  async function post(path: string, body: string, clientId?: string) {
    const response = await request(`${iam.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': FORM, ...(clientId === undefined ? {} : { authorization: basic(clientId, SECRET) }) },
      body,
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  }

  async function token(clientId = 'owner'): Promise<string> {
    return (await post('/oauth2/token', 'grant_type=client_credentials', clientId)).body?.access_token as string;
  }

  const introspect = (value: string, clientId?: string) => post('/oauth2/introspect', `token=${value}`, clientId);
  const revoke = (value: string, clientId?: string, hint = '') => post('/oauth2/revoke', `token=${value}${hint}`, clientId);
  const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

  it('introspects a client’s own token as active, with its claims', async () => {
    const value = await token();
    const claims = decodeJwt(value);
    const response = await introspect(value, 'owner');
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({
      active: true,
      scope: 'directory:v1',
      client_id: 'owner',
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      sub: 'tu-ha-noi.qlcb',
      aud: iam.config.publicUrl,
      iss: iam.config.publicUrl,
      jti: claims.jti,
      env: 'sandbox',
    });
  });

  it('lets a DGO admin or SOC analyst introspect any token, other clients learn nothing', async () => {
    const value = await token();
    expect((await introspect(value, 'dgo')).body).toMatchObject({ active: true, client_id: 'owner' });
    expect((await introspect(value, 'soc')).body).toMatchObject({ active: true, client_id: 'owner' });
    expect((await introspect(value, 'stranger')).body).toEqual({ active: false });
    expect((await introspect(value, 'provider-staff')).body).toEqual({ active: false });
  });

  it('refuses an unauthenticated introspection with invalid_client', async () => {
    const response = await introspect(await token());
    expect({ status: response.status, challenge: response.headers['www-authenticate'], body: response.body }).toEqual({
      status: 401,
      challenge: 'Basic realm="LGSP"',
      body: { error: 'invalid_client', error_description: 'Client authentication is required' },
    });
    expect((await post('/oauth2/introspect', 'token=x', 'nobody')).status).toBe(401);
    expect((await post('/oauth2/introspect', '', 'owner')).body).toEqual({ error: 'invalid_request', error_description: 'token is required' });
  });

  it('says inactive for a forged token, garbage, or a token signed by a key not ours', async () => {
    const value = await token();
    const [header, payload] = value.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(value), scope: 'everything' })).toString('base64url')}.${value.split('.')[2]}`;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const foreign = await new SignJWT({ ...decodeJwt(value) }).setProtectedHeader({ ...decodeProtectedHeader(value), alg: 'ES256' }).sign(privateKey);
    for (const forged of [tampered, foreign, 'garbage', `${header}.${payload}.`]) {
      expect((await introspect(forged, 'dgo')).body).toEqual({ active: false });
    }
  });

  it('revokes: a row, the change announced, then inactive; a second revocation changes nothing', async () => {
    const value = await token();
    const { jti, exp } = decodeJwt(value) as { jti: string; exp: number };
    const response = await revoke(value, 'owner', '&token_type_hint=access_token');
    expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: undefined });
    await tick();
    expect(heard).toEqual([{ kind: 'token-revoked', jti, exp }]);
    const rows = await t.database.db.select().from(iamRevokedTokens).where(eq(iamRevokedTokens.jti, jti));
    expect(rows).toEqual([{ jti, clientId: 'owner', expiresAt: new Date(exp * 1000), revokedAt: expect.any(Date) }]);
    expect((await introspect(value, 'owner')).body).toEqual({ active: false });
    expect((await introspect(value, 'dgo')).body).toEqual({ active: false });

    expect((await revoke(value, 'owner')).status).toBe(200);
    expect(await t.database.db.select().from(iamRevokedTokens).where(eq(iamRevokedTokens.jti, jti))).toEqual(rows);
  });

  it('lets a DGO admin revoke any token, not another client or a SOC analyst', async () => {
    const value = await token();
    const { jti } = decodeJwt(value) as { jti: string };
    expect((await revoke(value, 'stranger')).status).toBe(200);
    expect((await revoke(value, 'soc')).status).toBe(200);
    await tick();
    expect(heard).toEqual([]);
    expect((await introspect(value, 'owner')).body).toMatchObject({ active: true });
    expect((await revoke(value, 'dgo')).status).toBe(200);
    await tick();
    expect(heard).toEqual([expect.objectContaining({ kind: 'token-revoked', jti })]);
  });

  it('ignores a forged token (200, no effect) and refuses an unauthenticated revocation', async () => {
    const value = await token();
    const forged = `${value.split('.')[0]}.${Buffer.from(JSON.stringify({ ...decodeJwt(value), jti: randomUUID() })).toString('base64url')}.${value.split('.')[2]}`;
    expect((await revoke(forged, 'owner')).status).toBe(200);
    expect((await revoke('garbage', 'owner')).status).toBe(200);
    await tick();
    expect(heard).toEqual([]);
    const unauthenticated = await revoke(value);
    expect({ status: unauthenticated.status, body: unauthenticated.body }).toEqual({
      status: 401,
      body: { error: 'invalid_client', error_description: 'Client authentication is required' },
    });
    expect((await post('/oauth2/revoke', '', 'owner')).body).toEqual({ error: 'invalid_request', error_description: 'token is required' });
  });

  it('says inactive once the consumer system is suspended', async () => {
    const value = await token('stranger');
    expect((await introspect(value, 'dgo')).body).toMatchObject({ active: true });
    await t.database.db.update(consumerSystems).set({ status: 'suspended' }).where(eq(consumerSystems.id, 'bo-noi-vu.hrm'));
    expect((await introspect(value, 'dgo')).body).toEqual({ active: false });
  });

  it('records revocations and introspections in the ledger, never the token', async () => {
    const value = await token();
    const before = iam.sink.records.length;
    await revoke(value, 'owner');
    await introspect(value, 'soc');
    await tick();
    const records = iam.sink.records.slice(before);
    expect(records.map((r) => [r.path, r.status, r.clientId])).toEqual([
      ['/oauth2/revoke', 200, 'owner'],
      ['/oauth2/introspect', 200, 'soc'],
    ]);
    expect(JSON.stringify(iam.sink.records)).not.toContain(value.split('.')[2]);
  });
});
