import { ACCESS_TOKEN_TYP } from '@lgsp/contracts';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { request } from 'undici';

import type { RunningIam, TestDb } from '../../../test/iam-test.util';
import {
  FORM,
  SETUP_TIMEOUT_MS,
  basic,
  openTestDb,
  seedAdmin,
  seedApiVersion,
  seedConsumer,
  seedCredential,
  startIam,
  subscribe,
} from '../../../test/iam-test.util';

const SECRET = 'consumer-secret-0123456789abcdefghijklmnopq';

describe.each(['pglite', 'postgres'] as const)('POST /oauth2/token on %s', (kind) => {
  let t: TestDb;
  let iam: RunningIam;

  beforeAll(async () => {
    t = await openTestDb(kind);
    const db = t.database;
    await seedConsumer(db, { id: 'tu-ha-noi.qlcb' });
    await seedConsumer(db, { id: 'suspended.system', status: 'suspended' });
    await seedConsumer(db, { id: 'terminated.system', status: 'terminated' });
    const directory = await seedApiVersion(db, 'directory', 'v1');
    const documents = await seedApiVersion(db, 'documents', 'v1', 'deprecated');
    const drafts = await seedApiVersion(db, 'drafts', 'v1', 'draft');
    const retired = await seedApiVersion(db, 'old', 'v1', 'retired');
    const production = await seedApiVersion(db, 'payroll', 'v2');
    for (const id of [directory, documents, drafts, retired]) await subscribe(db, 'tu-ha-noi.qlcb', id, 'sandbox');
    await subscribe(db, 'tu-ha-noi.qlcb', production, 'production');
    await seedCredential(db, { clientId: 'demo-consumer', consumerId: 'tu-ha-noi.qlcb', secret: SECRET });
    await seedCredential(db, { clientId: 'demo-production', consumerId: 'tu-ha-noi.qlcb', secret: SECRET, environment: 'production', tokenTtlSeconds: 600 });
    await seedCredential(db, { clientId: 'revoked-client', consumerId: 'tu-ha-noi.qlcb', secret: SECRET, status: 'revoked' });
    await seedCredential(db, { clientId: 'suspended-client', consumerId: 'suspended.system', secret: SECRET });
    await seedCredential(db, { clientId: 'terminated-client', consumerId: 'terminated.system', secret: SECRET });
    await seedCredential(db, { clientId: 'odd-secret', consumerId: 'tu-ha-noi.qlcb', secret: 'a:b%2Fc+d e/ñ' });
    await seedAdmin(db, 'dgo-admin', SECRET, ['dgo-admin']);
    iam = await startIam({ database: db });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await iam?.close();
    await t?.close();
  });

  async function post(body: string, headers: Record<string, string> = {}) {
    const response = await request(`${iam.base}/oauth2/token`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  }

  it('issues an RFC 9068 token for client_secret_basic, scoped to the sandbox subscriptions', async () => {
    const response = await post('grant_type=client_credentials', { authorization: basic('demo-consumer', SECRET) });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['pragma']).toBe('no-cache');
    expect(response.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'directory:v1 documents:v1' });
    const token = response.body?.access_token as string;
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: expect.any(String), typ: ACCESS_TOKEN_TYP });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      iss: iam.config.publicUrl,
      sub: 'tu-ha-noi.qlcb',
      aud: iam.config.publicUrl,
      client_id: 'demo-consumer',
      scope: 'directory:v1 documents:v1',
      env: 'sandbox',
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
  });

  it('issues for client_secret_post, in the credential environment, with its own lifetime', async () => {
    const response = await post(`grant_type=client_credentials&client_id=demo-production&client_secret=${SECRET}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'payroll:v2' });
    expect(decodeJwt(response.body?.access_token as string)).toMatchObject({ env: 'production', client_id: 'demo-production' });
  });

  it('narrows the scope to what is asked', async () => {
    const response = await post('grant_type=client_credentials&scope=documents%3Av1', { authorization: basic('demo-consumer', SECRET) });
    expect(response.body).toMatchObject({ scope: 'documents:v1' });
    expect(decodeJwt(response.body?.access_token as string).scope).toBe('documents:v1');
  });

  it('gives admin clients their roles and the admin scope, no environment', async () => {
    const response = await post('grant_type=client_credentials', { authorization: basic('dgo-admin', SECRET) });
    expect(response.body).toMatchObject({ scope: 'admin', expires_in: 3600 });
    const claims = decodeJwt(response.body?.access_token as string);
    expect(claims).toMatchObject({ sub: 'dgo-admin', client_id: 'dgo-admin', scope: 'admin', roles: ['dgo-admin'] });
    expect(claims.env).toBeUndefined();
  });

  it('decodes form-encoded Basic credentials (RFC 6749 §2.3.1): colon, percent, plus, space, non-ASCII', async () => {
    const ok = await post('grant_type=client_credentials', { authorization: basic('odd-secret', 'a:b%2Fc+d e/ñ') });
    expect(ok.status).toBe(200);
    // The same secret not form-encoded: '+' reads as a space and %2F as '/', so it does not match.
    const raw = await post('grant_type=client_credentials', { authorization: `Basic ${Buffer.from('odd-secret:a:b%2Fc+d e/ñ').toString('base64')}` });
    expect(raw).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  const invalidClient = (method = 'Basic') => ({
    status: 401,
    wwwAuthenticate: method === 'Basic' ? 'Basic realm="LGSP"' : `${method} realm="LGSP"`,
    body: { error: 'invalid_client', error_description: 'Client authentication failed' },
  });
  const shape = (r: Awaited<ReturnType<typeof post>>) => ({ status: r.status, wwwAuthenticate: r.headers['www-authenticate'], body: r.body });

  it.each([
    ['an unsupported grant type', 'grant_type=password&username=a&password=b', { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Only the client_credentials grant is supported' } }],
    ['a missing grant type', '', { status: 400, body: { error: 'invalid_request', error_description: 'grant_type is required' } }],
    ['a repeated parameter', 'grant_type=client_credentials&grant_type=client_credentials', { status: 400, body: { error: 'invalid_request', error_description: 'The parameter grant_type is given more than once' } }],
    ['a repeated unknown parameter (never echoed)', 'grant_type=client_credentials&s3cr3t=1&s3cr3t=2', { status: 400, body: { error: 'invalid_request', error_description: 'A parameter is given more than once' } }],
  ])('refuses %s', async (_name, body, expected) => {
    const response = await post(body, { authorization: basic('demo-consumer', SECRET) });
    expect({ status: response.status, body: response.body }).toEqual(expected);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('refuses two authentication methods in one request', async () => {
    const response = await post(`grant_type=client_credentials&client_id=demo-consumer&client_secret=${SECRET}`, { authorization: basic('demo-consumer', SECRET) });
    expect(shape(response)).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'Use exactly one client authentication method' } });
  });

  it('refuses a body that is not a form, whatever its type', async () => {
    for (const contentType of ['application/json', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
      const response = await request(`${iam.base}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: basic('demo-consumer', SECRET) },
        body: contentType === 'application/json' ? '{"grant_type":"client_credentials"}' : 'grant_type=client_credentials',
      });
      expect({ contentType, status: response.statusCode, type: response.headers['content-type'], body: await response.body.json() }).toEqual({
        contentType,
        status: 400,
        type: 'application/json; charset=utf-8',
        body: { error: 'invalid_request', error_description: 'The request body must be application/x-www-form-urlencoded' },
      });
    }
  });

  it('refuses a body over the limit as invalid_request, not problem+json', async () => {
    const response = await post(`grant_type=client_credentials&pad=${'x'.repeat(20_000)}`);
    expect({ status: response.status, body: response.body }).toEqual({ status: 413, body: { error: 'invalid_request', error_description: 'The request body is too large' } });
  });

  it.each([
    ['a wrong secret (Basic)', () => post('grant_type=client_credentials', { authorization: basic('demo-consumer', 'wrong') }), invalidClient()],
    ['a wrong secret (post)', () => post('grant_type=client_credentials&client_id=demo-consumer&client_secret=wrong'), invalidClient('client_secret_post')],
    ['an unknown client', () => post('grant_type=client_credentials', { authorization: basic('nobody', SECRET) }), invalidClient()],
    ['a revoked credential', () => post('grant_type=client_credentials', { authorization: basic('revoked-client', SECRET) }), invalidClient()],
    ['a malformed Basic header', () => post('grant_type=client_credentials', { authorization: 'Basic !!!' }), invalidClient()],
    ['a Bearer header', () => post('grant_type=client_credentials', { authorization: 'Bearer abc' }), invalidClient()],
  ])('refuses %s with invalid_client and a challenge', async (_name, send, expected) => {
    expect(shape(await send())).toEqual(expected);
  });

  it('refuses no authentication at all', async () => {
    expect(shape(await post('grant_type=client_credentials&client_id=demo-consumer'))).toEqual({
      status: 401,
      wwwAuthenticate: 'Basic realm="LGSP"',
      body: { error: 'invalid_client', error_description: 'Client authentication is required' },
    });
  });

  it.each([['suspended-client'], ['terminated-client']])('gives a %s no new token', async (clientId) => {
    expect(shape(await post('grant_type=client_credentials', { authorization: basic(clientId, SECRET) }))).toEqual({
      status: 401,
      wwwAuthenticate: 'Basic realm="LGSP"',
      body: { error: 'invalid_client', error_description: 'The consumer system is suspended or terminated' },
    });
  });

  it('refuses a scope outside the subscriptions of the environment', async () => {
    for (const scope of ['payroll:v2', 'drafts:v1', 'old:v1', 'directory:v1 admin', 'directory:v1%22']) {
      const response = await post(`grant_type=client_credentials&scope=${scope}`, { authorization: basic('demo-consumer', SECRET) });
      expect({ scope, ...shape(response) }).toEqual({
        scope,
        status: 400,
        wwwAuthenticate: undefined,
        body: { error: 'invalid_scope', error_description: 'The requested scope is not granted to this client' },
      });
    }
  });

  it('answers a GET on the token endpoint without a stack trace', async () => {
    const response = await request(`${iam.base}/oauth2/token`);
    expect(response.statusCode).toBe(404);
    expect(await response.body.text()).not.toContain('at ');
  });

  it('records each request in the ledger without a secret, with its OAuth error code', async () => {
    const before = iam.sink.records.length;
    const answered = await post('grant_type=client_credentials', { authorization: basic('demo-consumer', SECRET), 'x-request-id': '0b9e5b8e-2f5c-4c1e-9d3a-2a7f1d6c9e11' });
    await post('grant_type=client_credentials', { authorization: basic('demo-consumer', 'wrong') });
    // The record is written once the response has left.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [ok, refused] = iam.sink.records.slice(before);
    expect(ok).toEqual({
      transactionId: expect.any(String),
      requestId: '0b9e5b8e-2f5c-4c1e-9d3a-2a7f1d6c9e11',
      receivedAt: expect.any(String),
      durationMs: expect.any(Number),
      clientIp: '127.0.0.1',
      service: 'iam',
      method: 'POST',
      path: '/oauth2/token',
      environment: 'sandbox',
      consumerId: 'tu-ha-noi.qlcb',
      clientId: 'demo-consumer',
      status: 200,
      bytesIn: 29,
      bytesOut: expect.any(Number),
    });
    expect(answered.headers['x-lgsp-transaction-id']).toBe(ok.transactionId);
    // Each invalid_client is a security event of its own (bursts and lock-outs are the brute-force guard's).
    expect(refused).toMatchObject({ status: 401, errorCode: 'invalid_client', path: '/oauth2/token', service: 'iam', securityEvent: 'authentication-failure' });
    expect(refused.clientId).toBeUndefined();
    expect(JSON.stringify(iam.sink.records)).not.toContain(SECRET);
  });
});
