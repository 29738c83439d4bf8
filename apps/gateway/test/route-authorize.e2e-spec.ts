import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { LgspConfig } from '@lgsp/config';
import { configFrom } from '@lgsp/config';
import type { TransactionRecord } from '@lgsp/contracts';
import type { DeclarativeApi, DeclarativeSubscription, LgspDatabase, RegistrySnapshot } from '@lgsp/data';
import {
  PostgresChangeChannel,
  apiVersions,
  applyDeclarativeConfig,
  blocks,
  consumerSystems,
  loadRegistrySnapshot,
  migrateDatabase,
  openDatabase,
  subscriptions,
} from '@lgsp/data';
import type { GatewayApp } from '@lgsp/gateway-core';
import { createGatewayApp, databaseJwksSource, databaseRevocationSource, outboxDir } from '@lgsp/gateway-core';
import { readSegments } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';
import type { SpyUpstream, TestDatabase } from '@lgsp/testing';
import { createTestDatabase, startSpyUpstream } from '@lgsp/testing';
import { eq } from 'drizzle-orm';
import { request } from 'undici';

import { insertSigningKey, mintAccessToken } from './test-tokens.util';
import type { TestSigningKey } from './test-tokens.util';

const PUBLIC_URL = 'https://api.lgsp.test';
const HOUR = 3_600_000;

const ok = { responses: { '200': { description: 'ok' } } };

/** The provider's document: what the consumers below call, one operation classified Mật. */
const DIRECTORY_OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'Directory', version: '1.0.0' },
  paths: {
    '/organisations': { get: ok },
    '/organisations/{organisationId}': { get: ok },
    '/documents': { get: ok },
    '/documents/{documentId}': { get: ok, put: ok },
    '/cadres/{cadreId}': { get: { ...ok, 'x-lgsp-classification': 'mat' } },
  },
};

function api(domain: string, version: string, upstream: string, extra: Partial<DeclarativeApi> = {}): DeclarativeApi {
  return {
    domain,
    version,
    upstreams: { sandbox: upstream, production: upstream },
    openapi: DIRECTORY_OPENAPI,
    classification: 'noi-bo',
    status: 'published',
    ...extra,
  };
}

const everything = (apis: readonly DeclarativeApi[]): DeclarativeSubscription[] => apis.map((a) => ({ api: a.domain, version: a.version, environments: ['sandbox', 'production'] }));

/**
 * The route and authorize phases through the gateway as its app composes it, on a real PostgreSQL
 * registry: operations, lifecycle, kill switches, consumer statuses, subscriptions and
 * classifications, and registry changes made while it runs, heard over LISTEN/NOTIFY.
 */
describe('gateway routing and authorization on PostgreSQL', () => {
  let dir: string;
  let testDb: TestDatabase;
  let database: LgspDatabase;
  let changes: PostgresChangeChannel;
  /** The registry's own connection, as another process publishes. */
  let registryChanges: PostgresChangeChannel;
  let upstream: SpyUpstream;
  let gateway: GatewayApp;
  let config: LgspConfig;
  let base: string;
  let key: TestSigningKey;
  let snapshot: RegistrySnapshot;
  const tokens = new Map<string, string>();

  const versionId = (domain: string, version: string): string => {
    const found = snapshot.apiVersions.find((v) => v.domain === domain && v.version === version);
    if (found === undefined) throw new Error(`no ${domain} ${version}`);
    return found.id;
  };

  async function tokenOf(sub: string, env: 'sandbox' | 'production' = 'sandbox'): Promise<string> {
    const name = `${sub} ${env}`;
    let token = tokens.get(name);
    if (token === undefined) tokens.set(name, (token = await mintAccessToken(config.publicUrl, key, { sub, client_id: `${sub}-${env}`, env })));
    return token;
  }

  async function call(path: string, options: { sub?: string; env?: 'sandbox' | 'production'; method?: 'GET' | 'PUT' | 'POST' | 'HEAD' } = {}) {
    const res = await request(`${base}${path}`, {
      method: options.method ?? 'GET',
      headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${await tokenOf(options.sub ?? 'tu-ha-noi.qlcb', options.env)}` },
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  }

  async function records(): Promise<TransactionRecord[]> {
    await gateway.sink.flush();
    return (await readSegments(outboxDir(config))).records;
  }

  /** Calls until `accept` holds of the answer; fails after `withinMs`. Returns the time it took. */
  async function until(what: string, probe: () => Promise<boolean>, withinMs = 2000): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < withinMs) {
      if (await probe()) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`not within ${withinMs} ms: ${what}`);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-route-authorize-'));
    upstream = await startSpyUpstream();
    testDb = await createTestDatabase();
    database = await openDatabase({ url: testDb.url });
    await migrateDatabase(database);
    const apis: DeclarativeApi[] = [
      api('directory', 'v1', upstream.url, { provider: 'van-phong-tw' }),
      api('directory', 'v2', upstream.url, { provider: 'van-phong-tw', status: 'draft' }),
      api('records', 'v1', upstream.url, { status: 'deprecated', sunset: '2027-06-30' }),
      api('records', 'v2', upstream.url),
      api('archive', 'v1', upstream.url, { status: 'retired' }),
      api('archive', 'v2', upstream.url),
      api('payroll', 'v1', upstream.url, { provider: 'bhxh-vn' }),
      api('pensions', 'v1', upstream.url, { provider: 'bhxh-vn' }),
      api('weather', 'v1', upstream.url),
      api('notices', 'v1', upstream.url),
      api('cadres', 'v1', upstream.url, { classification: 'mat' }),
    ];
    const consumer = (id: string, subscribed: DeclarativeSubscription[], status?: 'suspended') => ({
      id,
      name: id,
      credentials: [],
      certificates: [],
      subscriptions: subscribed,
      ...(status !== undefined && { status }),
    });
    await applyDeclarativeConfig(
      database.db,
      {
        source: 'route-authorize test',
        admins: [],
        apis,
        consumers: [
          consumer('tu-ha-noi.qlcb', everything(apis)),
          consumer('quang-ninh.qlvb', everything(apis)),
          consumer('hung-yen.qlvb', [{ api: 'directory', version: 'v1', environments: ['sandbox'] }]),
          consumer('bo-noi-vu.hrm', everything(apis), 'suspended'),
        ],
      },
      { pepper: 'route-authorize-pepper-route-authorize-pepper' },
    );
    snapshot = await loadRegistrySnapshot(database.db);
    const anHourAgo = new Date(Date.now() - HOUR);
    await database.db.insert(blocks).values([
      { scope: 'provider', provider: 'bhxh-vn', reason: 'Sự cố an ninh mạng', startsAt: anHourAgo, createdBy: 'dgo-admin' },
      { scope: 'operation', apiVersionId: versionId('directory', 'v1'), operation: 'GET /documents/{documentId}', reason: 'Sai lệch dữ liệu văn bản', startsAt: anHourAgo, createdBy: 'dgo-admin' },
      // Lifted: history, no longer in effect.
      { scope: 'api-version', apiVersionId: versionId('directory', 'v1'), reason: 'Bảo trì', startsAt: anHourAgo, liftedAt: new Date(), liftedBy: 'dgo-admin', createdBy: 'dgo-admin' },
    ]);
    // The test client (loopback) is in the Party-WAN zone: the Mật refusal below is the signature rule's, not the zone's.
    config = configFrom({ LGSP_PORT: '0', LGSP_DATA_DIR: dir, LGSP_PUBLIC_URL: PUBLIC_URL, LGSP_WAN_CIDRS: '127.0.0.0/8', LGSP_REQUIRE_SIGNED_WRITES: 'false' });
    key = await insertSigningKey(database.db);
    changes = await PostgresChangeChannel.open({ url: testDb.url });
    registryChanges = await PostgresChangeChannel.open({ url: testDb.url });
    gateway = await createGatewayApp({
      config,
      logger: createLogger({ service: 'lgsp-gateway', level: 'warn', destination: { write: () => undefined } }),
      database,
      changes,
      jwks: databaseJwksSource(database.db),
      revocations: databaseRevocationSource(database.db),
      tracingEnabled: false,
      withProcessMetrics: false,
    });
    base = await gateway.listen();
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await changes?.close();
    await registryChanges?.close();
    await upstream?.close();
    await database?.close();
    await testDb?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves an operation of the provider document, HEAD through its GET', async () => {
    const res = await call('/v1/directory/organisations/thanh-uy-ha-noi?fields=name');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ path: '/organisations/thanh-uy-ha-noi?fields=name' });
    expect(res.headers['deprecation']).toBeUndefined();
    expect((await call('/v1/directory/organisations', { method: 'HEAD' })).status).toBe(200);
  });

  it.each([
    ['GET', '/v1/directory/organisations/thanh-uy-ha-noi/members'],
    ['GET', '/v1/directory/unknown'],
    ['POST', '/v1/directory/organisations'],
  ] as const)('answers %s %s, which the document does not describe, with 404 not_found, never reaching the provider', async (method, path) => {
    const before = upstream.seen.length;
    const res = await call(path, { method });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'not_found', detail: `${method} ${path} is not an operation of directory v1` });
    expect(upstream.seen.length).toBe(before);
    expect((await records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 404, errorCode: 'not_found', apiDomain: 'directory' });
  });

  it('answers a retired version with 410 api_retired naming its successor', async () => {
    const before = upstream.seen.length;
    const res = await call('/v1/archive/documents');
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ code: 'api_retired', detail: 'archive v1 is retired; its successor is /v2/archive' });
    expect(upstream.seen.length).toBe(before);
    expect((await call('/v2/archive/documents')).status).toBe(200);
  });

  it("puts a deprecated version's Deprecation, Sunset and successor Link on its answers, refusals included", async () => {
    const [row] = await database.db.select({ deprecatedAt: apiVersions.deprecatedAt }).from(apiVersions).where(eq(apiVersions.id, versionId('records', 'v1')));
    const expected = {
      deprecation: `@${Math.floor(row.deprecatedAt!.getTime() / 1000)}`,
      sunset: 'Tue, 29 Jun 2027 17:00:00 GMT',
      link: `<${PUBLIC_URL}/v2/records>; rel="successor-version"`,
    };
    const served = await call('/v1/records/documents');
    expect(served.status).toBe(200);
    expect(served.headers).toMatchObject(expected);
    const unsubscribed = await call('/v1/records/documents', { sub: 'hung-yen.qlvb' });
    expect(unsubscribed.status).toBe(403);
    expect(unsubscribed.headers).toMatchObject(expected);
    const unknown = await call('/v1/records/nowhere');
    expect(unknown.status).toBe(404);
    expect(unknown.headers).toMatchObject(expected);
    const successor = await call('/v2/records/documents');
    expect(successor.status).toBe(200);
    expect(successor.headers['deprecation']).toBeUndefined();
    expect(successor.headers['link']).toBeUndefined();
  });

  it("blocks every API of a provider with 503 api_blocked and its reason, and none of another provider's", async () => {
    const before = upstream.seen.length;
    for (const path of ['/v1/payroll/documents', '/v1/pensions/organisations']) {
      const res = await call(path);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'api_blocked', detail: expect.stringMatching(/\(provider bhxh-vn\) is blocked by the platform operator: Sự cố an ninh mạng$/) });
      expect(res.headers['retry-after']).toBeUndefined();
    }
    expect(upstream.seen.length).toBe(before);
    expect((await call('/v1/directory/documents')).status).toBe(200);
  });

  it('blocks one operation only', async () => {
    const blocked = await call('/v1/directory/documents/125-QD-TU');
    expect(blocked.status).toBe(503);
    expect(blocked.body).toMatchObject({ code: 'api_blocked', detail: 'GET /documents/{documentId} of directory v1 is blocked by the platform operator: Sai lệch dữ liệu văn bản' });
    expect((await call('/v1/directory/documents/125-QD-TU', { method: 'PUT' })).status).toBe(200);
    expect((await call('/v1/directory/documents')).status).toBe(200);
  });

  it('answers 503 with Retry-After during a maintenance window, and serves again once it is over', async () => {
    expect((await call('/v1/weather/documents')).status).toBe(200);
    const endsAt = new Date(Date.now() + 1500);
    await database.db.insert(blocks).values({ scope: 'api-version', apiVersionId: versionId('weather', 'v1'), reason: 'Bảo trì định kỳ', startsAt: new Date(Date.now() - 1000), endsAt, createdBy: 'dgo-admin' });
    await registryChanges.publish({ kind: 'registry' });
    let refused: Awaited<ReturnType<typeof call>> | undefined;
    await until('the window is enforced', async () => {
      refused = await call('/v1/weather/documents');
      return refused.status === 503;
    });
    expect(refused!.body).toMatchObject({ code: 'api_blocked', detail: `weather v1 is blocked by the platform operator until ${endsAt.toISOString()}: Bảo trì định kỳ` });
    expect(Number(refused!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused!.headers['retry-after'])).toBeLessThanOrEqual(2);
    // No registry change needed: the window closes on the clock.
    await until('served after the window', async () => (await call('/v1/weather/documents')).status === 200, 3000);
    expect(Date.now()).toBeGreaterThanOrEqual(endsAt.getTime());
  });

  it.each([
    ['a suspended consumer system', 'bo-noi-vu.hrm', /is suspended/],
    ['one the registry does not know', 'ghost.system', /not registered/],
  ])('refuses %s with 403 consumer_suspended, recorded, never reaching the provider', async (_name, sub, detail) => {
    const before = upstream.seen.length;
    const res = await call('/v1/directory/organisations', { sub });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'consumer_suspended', detail: expect.stringMatching(detail) });
    expect(upstream.seen.length).toBe(before);
    expect((await records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 403, errorCode: 'consumer_suspended', consumerId: sub });
  });

  it('refuses 403 subscription_missing without a subscription, and with one for the other environment only', async () => {
    expect((await call('/v1/directory/organisations', { sub: 'hung-yen.qlvb' })).status).toBe(200);
    const other = await call('/v1/notices/organisations', { sub: 'hung-yen.qlvb' });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 'subscription_missing', detail: 'This consumer system is not subscribed to notices v1 in sandbox' });
    const production = await call('/v1/directory/organisations', { sub: 'hung-yen.qlvb', env: 'production' });
    expect(production.status).toBe(403);
    expect(production.body).toMatchObject({ code: 'subscription_missing', detail: 'This consumer system is not subscribed to directory v1 in production' });
    // A refused call spends none of the throttle's budget: it is decided before.
    expect(production.headers['ratelimit']).toBeUndefined();
  });

  it('refuses unsigned Mật data with 401 signature_missing, by the version or by the operation', async () => {
    const before = upstream.seen.length;
    for (const path of ['/v1/cadres/organisations', '/v1/directory/cadres/42']) {
      const res = await call(path);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'signature_missing', detail: expect.stringMatching(/Mật and Tối mật operations are served only on signed calls/) });
    }
    expect(upstream.seen.length).toBe(before);
  });

  it('enforces a suspension, a kill switch and a newly published version within 2 s of the registry saying it changed', async () => {
    expect((await call('/v1/directory/organisations', { sub: 'quang-ninh.qlvb' })).status).toBe(200);
    expect((await call('/v1/notices/organisations')).status).toBe(200);
    expect((await call('/v2/directory/organisations')).status).toBe(404);

    // What the admin API does: the rows, then the change on the channel.
    await database.db.update(consumerSystems).set({ status: 'suspended' }).where(eq(consumerSystems.id, 'quang-ninh.qlvb'));
    await database.db.insert(blocks).values({ scope: 'api-version', apiVersionId: versionId('notices', 'v1'), reason: 'Tạm dừng theo yêu cầu', startsAt: new Date(), createdBy: 'dgo-admin' });
    await database.db.update(apiVersions).set({ status: 'published', publishedAt: new Date() }).where(eq(apiVersions.id, versionId('directory', 'v2')));
    await registryChanges.publish({ kind: 'registry' });

    const tookMs = await until('all three changes enforced', async () => {
      const [suspended, blocked, published] = await Promise.all([
        call('/v1/directory/organisations', { sub: 'quang-ninh.qlvb' }),
        call('/v1/notices/organisations'),
        call('/v2/directory/organisations'),
      ]);
      return suspended.status === 403 && suspended.body?.['code'] === 'consumer_suspended' && blocked.status === 503 && published.status === 200;
    });
    expect(tookMs).toBeLessThan(2000);
    // The other consumer of the same API is untouched; a subscription added later is heard too.
    expect((await call('/v1/directory/organisations')).status).toBe(200);
    expect((await call('/v2/directory/organisations', { sub: 'hung-yen.qlvb' })).status).toBe(403);
    await database.db.insert(subscriptions).values({ consumerId: 'hung-yen.qlvb', apiVersionId: versionId('directory', 'v2'), environment: 'sandbox' });
    await registryChanges.publish({ kind: 'registry' });
    await until('the new subscription admits', async () => (await call('/v2/directory/organisations', { sub: 'hung-yen.qlvb' })).status === 200);
  });
});
