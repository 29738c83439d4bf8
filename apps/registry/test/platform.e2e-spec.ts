import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { adminClients, hashSecret, type LgspDatabase, migrateDatabase, openDatabase } from '@lgsp/data';
import { createTestDatabase, type SpyUpstream, startSpyUpstream, startTsProcess, type TestDatabase, type TsProcess } from '@lgsp/testing';

const PUBLIC_URL = 'https://api.lgsp.test';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- admin answers are JSON whose shape each step asserts
type AdminAnswer = any;
const PEPPER = 'platform-pepper-platform-pepper-platform-pepper';
const DGO_SECRET = 'platform-dgo-secret-Hq3Vt8Lm2Xp7Rw4Kz9Nb6Cd1';
/** The contract: a registry change is enforced by every gateway within 2 s. */
const PROPAGATION_BUDGET_MS = 2000;

/**
 * The cluster's shape on one machine: IAM, the registry and a gateway as three processes on one
 * PostgreSQL, talking only through its tables and LISTEN/NOTIFY. A unit registers, the DGO approves
 * it, and every registry change the DGO makes through the admin API reaches the running gateway.
 */
describe('registry → gateway, three processes on one PostgreSQL', () => {
  let testDb: TestDatabase;
  let database: LgspDatabase;
  let upstream: SpyUpstream;
  let dir: string;
  const processes: TsProcess[] = [];
  let iamUrl: string;
  let adminUrl: string;
  let gatewayUrl: string;
  let dgoToken: string;
  // Ids of this run only: throttle keys in the machine's Redis are never shared with another run.
  const consumerId = `platform-${randomUUID().slice(0, 8)}.qlcb`;

  function start(entry: string, env: Record<string, string>, listening: RegExp): Promise<string> {
    const child = startTsProcess(entry, {
      LGSP_PUBLIC_URL: PUBLIC_URL,
      DATABASE_URL: testDb.url,
      LGSP_SECRET_PEPPER: PEPPER,
      LGSP_KEY_ENCRYPTION_KEY: 'platform-kek-platform-kek-platform-kek-0001',
      LGSP_LOG_LEVEL: 'info',
      ...env,
    });
    processes.push(child);
    return child.waitFor(listening).then((match) => match[1]);
  }

  async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: AdminAnswer }> {
    const response = await fetch(adminUrl + path, {
      method,
      headers: { authorization: `Bearer ${dgoToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text.length > 0 ? JSON.parse(text) : undefined };
  }

  async function token(clientId: string, clientSecret: string): Promise<string> {
    const response = await fetch(`${iamUrl}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as { access_token?: string };
    if (body.access_token === undefined) throw new Error(`no token for ${clientId}: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  async function call(accessToken: string, path: string): Promise<{ status: number; code?: string }> {
    const response = await fetch(gatewayUrl + path, { headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': randomUUID() } });
    const text = await response.text();
    return { status: response.status, code: response.headers.get('content-type')?.includes('problem') ? JSON.parse(text).code : undefined };
  }

  /** Milliseconds until the gateway answers as expected; fails past the budget. */
  async function enforcedWithin(accessToken: string, path: string, expected: { status: number; code?: string }): Promise<number> {
    const started = Date.now();
    let last: { status: number; code?: string } = { status: 0 };
    while (Date.now() - started < PROPAGATION_BUDGET_MS) {
      last = await call(accessToken, path);
      if (last.status === expected.status && last.code === expected.code) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`${path}: still ${JSON.stringify(last)} after ${PROPAGATION_BUDGET_MS} ms, expected ${JSON.stringify(expected)}`);
  }

  const openapi = (title: string) => ({
    openapi: '3.0.3',
    info: { title, version: '1.0.0' },
    paths: { '/organisations': { get: { operationId: 'listOrganisations', responses: { '200': { description: 'The organisations' } } } } },
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-platform-'));
    upstream = await startSpyUpstream();
    testDb = await createTestDatabase();
    database = await openDatabase({ url: testDb.url });
    await migrateDatabase(database);
    await database.db.insert(adminClients).values({ clientId: 'dgo', roles: ['dgo-admin'], secretHash: hashSecret(DGO_SECRET, PEPPER) });
    [iamUrl, adminUrl, gatewayUrl] = await Promise.all([
      start('apps/iam/src/main.ts', { LGSP_PORT: '0', LGSP_DATA_DIR: join(dir, 'iam') }, /LGSP IAM listening on (http:\/\/[^"\s]+)/),
      start('apps/registry/src/main.ts', { LGSP_ADMIN_PORT: '0', LGSP_DATA_DIR: join(dir, 'registry') }, /LGSP registry admin API listening on (http:\/\/[^"\s]+)/),
      start('apps/gateway/src/main.ts', { LGSP_PORT: '0', LGSP_DATA_DIR: join(dir, 'gateway') }, /LGSP gateway listening on (http:\/\/[^"\s]+)/),
    ]);
    dgoToken = await token('dgo', DGO_SECRET);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await upstream?.close();
    await database?.close();
    await testDb?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a unit registered through the workflow, and enforces suspension, blocks and new versions within 2 s', async () => {
    const upstreams = { sandbox: upstream.url, production: upstream.url };
    expect((await admin('POST', '/admin/v1/apis/directory/versions', { version: 'v1', provider: 'bo-noi-vu', openapi: openapi('Directory'), upstreams, classification: 'noi-bo' })).status).toBe(201);
    expect((await admin('POST', '/admin/v1/apis/directory/versions/v1/lifecycle', { status: 'published' })).status).toBe(200);

    const form = {
      organisation: { id: 'tu-ha-noi', name: 'Thành uỷ Hà Nội', address: '2 Lê Lai, Hà Nội' },
      representative: { name: 'Nguyễn Văn A', position: 'Chánh Văn phòng' },
      technicalContact: { name: 'Trần Thị B', phone: '+84912345678', email: 'b@hanoi.dcs.vn' },
      system: { name: 'Quản lý cán bộ', businessDomain: 'Tổ chức cán bộ' },
      security: { level: 3, approvalDocument: '123/QĐ' },
      maxClassification: 'noi-bo',
      connectionOption: 2,
      data: [{ api: 'directory', version: 'v1', classification: 'noi-bo', frequency: 'daily', method: 'api', expectedStart: '2027-01-01', purpose: 'Tra cứu' }],
    };
    const submitted = await fetch(`${adminUrl}/admin/v1/registrations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(form) });
    expect(submitted.status).toBe(201);
    const { reference } = (await submitted.json()) as { reference: string };
    expect((await admin('POST', `/admin/v1/registrations/${reference}/approve`, { consumerId })).status).toBe(200);
    const sandbox = await admin('POST', `/admin/v1/registrations/${reference}/sandbox-credentials`);
    expect(sandbox.status).toBe(201);

    const consumerToken = await token(sandbox.body.credential.clientId, sandbox.body.credential.clientSecret);
    await enforcedWithin(consumerToken, '/v1/directory/organisations', { status: 200 });
    expect(upstream.seen.at(-1)).toMatchObject({ method: 'GET', url: '/organisations' });

    expect((await admin('POST', `/admin/v1/consumers/${consumerId}/suspend`, { reason: 'Sự cố an toàn thông tin' })).status).toBe(200);
    await enforcedWithin(consumerToken, '/v1/directory/organisations', { status: 403, code: 'consumer_suspended' });
    expect((await admin('POST', `/admin/v1/consumers/${consumerId}/resume`, { reason: 'Đã khắc phục' })).status).toBe(200);
    await enforcedWithin(consumerToken, '/v1/directory/organisations', { status: 200 });

    const block = await admin('POST', '/admin/v1/blocks', { scope: 'api-version', api: 'directory', version: 'v1', reason: 'Bảo trì khẩn cấp' });
    expect(block.status).toBe(201);
    await enforcedWithin(consumerToken, '/v1/directory/organisations', { status: 503, code: 'api_blocked' });
    expect((await admin('POST', `/admin/v1/blocks/${block.body.id}/lift`, { reason: 'Xong' })).status).toBe(200);
    await enforcedWithin(consumerToken, '/v1/directory/organisations', { status: 200 });

    expect((await call(consumerToken, '/v2/directory/organisations')).status).toBe(404);
    expect((await admin('POST', '/admin/v1/apis/directory/versions', { version: 'v2', openapi: openapi('Directory v2'), upstreams, classification: 'noi-bo' })).status).toBe(201);
    expect((await admin('POST', '/admin/v1/apis/directory/versions/v2/lifecycle', { status: 'published' })).status).toBe(200);
    expect((await admin('POST', `/admin/v1/consumers/${consumerId}/subscriptions`, { api: 'directory', version: 'v2', environments: ['sandbox'] })).status).toBe(200);
    await enforcedWithin(consumerToken, '/v2/directory/organisations', { status: 200 });

    const trail = await admin('GET', `/admin/v1/audit?targetType=consumer&targetId=${consumerId}`);
    expect(trail.body.map((e: { action: string }) => e.action)).toEqual(['consumer.subscribe', 'consumer.resume', 'consumer.suspend']);
  }, 60_000);
});
