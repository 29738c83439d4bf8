import { join } from 'node:path';

import { eq } from 'drizzle-orm';

import {
  DATABASE_KINDS,
  dumpRegistry,
  SETUP_TIMEOUT_MS,
  type TestLgspDatabase,
  openTestDatabase,
} from '../../../test/test-database.util';
import { canonicalJsonSha256 } from '../canonical-json.util';
import { adminClients, apis, apiVersions, certificates, consumerSystems, credentials } from '../schema';
import { hashSecret, verifySecret } from '../secret-hash.util';
import { applyDeclarativeConfig } from './apply-declarative-config.util';
import { DeclarativeConfigError } from './declarative-config.error';
import type { ApplyResult, DeclarativeConfig } from './declarative-config.type';
import { loadDeclarativeFile } from './load-declarative-file.util';

const PEPPER = 'test-pepper-4b1d7e0c9a2f6e3d8c5b';
const CONSUMER_SECRET = 'canary-secret-5f0c1e9a7b3d4c2e8f6a';
const ADMIN_SECRET = 'canary-admin-secret-9d8c7b6a5f4e';

const NOTHING = { created: 0, updated: 0, unchanged: 0 };

function unchangedResult(first: ApplyResult): ApplyResult {
  return Object.fromEntries(
    Object.entries(first).map(([kind, counts]) => [
      kind,
      { ...NOTHING, unchanged: counts.created + counts.updated + counts.unchanged },
    ]),
  ) as unknown as ApplyResult;
}

describe.each(DATABASE_KINDS)('applyDeclarativeConfig on %s', (kind) => {
  let test: TestLgspDatabase;
  let example: DeclarativeConfig;

  beforeAll(async () => {
    [test, example] = await Promise.all([
      openTestDatabase(kind),
      loadDeclarativeFile(join(__dirname, 'fixtures/lgsp.yaml')),
    ]);
  }, SETUP_TIMEOUT_MS);
  afterAll(() => test?.close());
  beforeEach(() => test.truncate());

  const apply = (config: DeclarativeConfig) => applyDeclarativeConfig(test.database.db, config, { pepper: PEPPER });

  it('applies the example of the contract, and a second apply changes nothing at all', async () => {
    const first = await apply(example);
    expect(first).toEqual({
      consumers: { ...NOTHING, created: 2 },
      credentials: { ...NOTHING, created: 2 },
      certificates: { ...NOTHING, created: 2 },
      rateLimits: { ...NOTHING, created: 1 },
      subscriptions: { ...NOTHING, created: 5 },
      apis: { ...NOTHING, created: 2 },
      apiVersions: { ...NOTHING, created: 3 },
      admins: { ...NOTHING, created: 2 },
    });
    const afterFirst = await dumpRegistry(test.database);
    expect(Object.values(afterFirst).every((rows) => rows.length > 0)).toBe(true);

    const second = await apply(example);
    expect(second).toEqual(unchangedResult(first));
    expect(await dumpRegistry(test.database)).toEqual(afterFirst);
  });

  it('stores what the file says', async () => {
    await apply(example);
    const { db } = test.database;
    const [search] = await db
      .select({ version: apiVersions, api: apis })
      .from(apiVersions)
      .innerJoin(apis, eq(apis.id, apiVersions.apiId))
      .where(eq(apis.domain, 'registry-search'));
    expect(search.api).toMatchObject({ name: 'Tra cứu đăng ký', provider: 'Bộ Nội vụ' });
    expect(search.version).toMatchObject({
      version: 'v2',
      status: 'deprecated',
      classification: 'mat',
      upstreamSandbox: 'http://127.0.0.1:9200',
      upstreamProduction: 'https://registry-search.bnv.gov.vn',
      sunset: '2027-06-30',
      readTimeoutMs: 5000,
      writeTimeoutMs: 15000,
      publishedAt: null,
      retiredAt: null,
    });
    expect(search.version.deprecatedAt).toBeInstanceOf(Date);
    expect(search.version.openapi).toEqual(example.apis[2].openapi);
    expect(search.version.openapiSha256).toBe(canonicalJsonSha256(example.apis[2].openapi));
    expect(search.version.openapiSha256).toMatch(/^[0-9a-f]{64}$/);

    const [certificate] = await db.select().from(certificates).where(eq(certificates.id, 'tu-ha-noi-2026'));
    expect(certificate).toMatchObject({ consumerId: 'tu-ha-noi.qlcb', subject: 'CN=tu-ha-noi', status: 'active' });
    expect(certificate.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(certificate.notAfter.getTime()).toBeGreaterThan(certificate.notBefore.getTime());

    const [consumer] = await db.select().from(consumerSystems).where(eq(consumerSystems.id, 'tu-ha-noi.qlcb'));
    expect(consumer).toMatchObject({ status: 'active', organisation: null });
    const [admin] = await db.select().from(adminClients).where(eq(adminClients.clientId, 'soc'));
    expect(admin).toMatchObject({ roles: ['soc-analyst', 'consumer'], name: 'SOC team', status: 'active' });

    const bnv = await db.query.consumerSystems.findFirst({
      where: eq(consumerSystems.id, 'bo-noi-vu.hrm'),
      with: { credentials: true, certificates: true, subscriptions: { with: { apiVersion: { with: { api: true } } } } },
    });
    expect(bnv).toMatchObject({
      organisation: 'Bộ Nội vụ',
      credentials: [{ tokenTtlSeconds: 600, environment: 'production' }],
    });
    const subscribed = bnv?.subscriptions.map(
      ({ apiVersion, environment }) => `${apiVersion.api.domain} ${apiVersion.version} ${environment}`,
    );
    expect(subscribed?.sort()).toEqual([
      'documents v1 production',
      'registry-search v2 production',
      'registry-search v2 sandbox',
    ]);
  });

  it('stores plain secrets only as their keyed hash, and a given hash as is', async () => {
    await apply(example);
    const stored = JSON.stringify(await dumpRegistry(test.database));
    expect(stored).not.toContain(CONSUMER_SECRET);
    expect(stored).not.toContain(ADMIN_SECRET);

    const { db } = test.database;
    const [consumerCredential] = await db.select().from(credentials).where(eq(credentials.clientId, 'demo-consumer'));
    expect(verifySecret(CONSUMER_SECRET, consumerCredential.secretHash, PEPPER)).toBe(true);
    expect(verifySecret(CONSUMER_SECRET, consumerCredential.secretHash, 'other-pepper')).toBe(false);
    const [admin] = await db.select().from(adminClients).where(eq(adminClients.clientId, 'dgo-admin'));
    expect(verifySecret(ADMIN_SECRET, admin.secretHash, PEPPER)).toBe(true);
    const [hashed] = await db.select().from(credentials).where(eq(credentials.clientId, 'bnv-production'));
    expect(hashed.secretHash).toBe('hmac-sha256:Y2FuYXJ5LWhhc2gtMDEyMzQ1Njc4OWFiY2RlZi0wMTI');
  });

  it('updates only the row whose value changed', async () => {
    await apply(example);
    const before = await dumpRegistry(test.database);
    const changed: DeclarativeConfig = {
      ...example,
      consumers: [example.consumers[0], { ...example.consumers[1], name: 'Hệ thống nhân sự (mới)' }],
    };
    const result = await apply(changed);
    expect(result.consumers).toEqual({ created: 0, updated: 1, unchanged: 1 });
    expect(Object.entries(result).filter(([k, counts]) => k !== 'consumers' && counts.updated > 0)).toEqual([]);

    const after = await dumpRegistry(test.database);
    expect({ ...after, consumer_systems: [] }).toEqual({ ...before, consumer_systems: [] });
    const row = (dump: typeof before, id: string) =>
      dump['consumer_systems'].find((r) => (r as { id: string }).id === id) as Record<string, unknown>;
    expect(row(after, 'tu-ha-noi.qlcb')).toEqual(row(before, 'tu-ha-noi.qlcb'));
    const { name, updated_at, ...rest } = row(after, 'bo-noi-vu.hrm');
    const { name: oldName, updated_at: oldUpdatedAt, ...oldRest } = row(before, 'bo-noi-vu.hrm');
    expect(rest).toEqual(oldRest);
    expect([name, oldName]).toEqual(['Hệ thống nhân sự (mới)', 'Hệ thống quản lý nhân sự, Bộ Nội vụ']);
    expect(updated_at).not.toEqual(oldUpdatedAt);
  });

  it('updates secrets, upstreams, documents and lifecycle, and clears what the file left out', async () => {
    await apply(example);
    const [v1, v2, search] = example.apis;
    const result = await apply({
      ...example,
      consumers: [
        {
          ...example.consumers[0],
          credentials: [{ ...example.consumers[0].credentials[0], secret: { plain: 'a-new-secret-0123456789abcdef' } }],
          limits: { readPerMinute: 10, writePerMinute: 5 },
        },
        example.consumers[1],
      ],
      apis: [
        { ...v1, status: 'deprecated', sunset: '2027-01-31' },
        { ...v2, openapi: { ...v2.openapi, info: { title: 'Changed', version: '2.0.0' } } },
        {
          ...search,
          readTimeoutMs: undefined,
          writeTimeoutMs: undefined,
          upstreams: { ...search.upstreams, sandbox: 'http://127.0.0.1:9300' },
        },
      ],
    });
    expect(result.apiVersions).toEqual({ created: 0, updated: 3, unchanged: 0 });
    expect(result.credentials).toEqual({ created: 0, updated: 1, unchanged: 1 });
    expect(result.rateLimits).toEqual({ created: 0, updated: 1, unchanged: 0 });

    const { db } = test.database;
    const versions = await db.select().from(apiVersions);
    const byUpstream = (upstream: string) => versions.find((v) => v.upstreamSandbox === upstream);
    const deprecated = byUpstream('http://127.0.0.1:9100');
    expect(deprecated).toMatchObject({ status: 'deprecated', sunset: '2027-01-31' });
    expect(deprecated?.publishedAt).toBeInstanceOf(Date);
    expect(deprecated?.deprecatedAt).toBeInstanceOf(Date);
    expect(byUpstream('http://127.0.0.1:9100/v2')?.openapi).toMatchObject({ info: { title: 'Changed' } });
    expect(byUpstream('http://127.0.0.1:9300')).toMatchObject({ readTimeoutMs: null, writeTimeoutMs: null });
    const [credential] = await db.select().from(credentials).where(eq(credentials.clientId, 'demo-consumer'));
    expect(credential.secretHash).toBe(hashSecret('a-new-secret-0123456789abcdef', PEPPER));
  });

  it('hashes the OpenAPI document canonically: key order does not count as a change', async () => {
    await apply(example);
    const reordered = Object.fromEntries(Object.entries(example.apis[0].openapi).reverse());
    const result = await apply({
      ...example,
      apis: [{ ...example.apis[0], openapi: reordered }, ...example.apis.slice(1)],
    });
    expect(result.apiVersions).toEqual({ created: 0, updated: 0, unchanged: 3 });
  });

  it('leaves statuses set through the admin API alone when the file gives none', async () => {
    await apply(example);
    const { db } = test.database;
    await db.update(consumerSystems).set({ status: 'suspended' }).where(eq(consumerSystems.id, 'tu-ha-noi.qlcb'));
    await db.update(credentials).set({ status: 'revoked' }).where(eq(credentials.clientId, 'demo-consumer'));
    await db
      .update(apiVersions)
      .set({ status: 'retired' })
      .where(eq(apiVersions.upstreamSandbox, 'http://127.0.0.1:9100/v2'));
    const before = await dumpRegistry(test.database);

    const withoutStatus: DeclarativeConfig = {
      ...example,
      apis: example.apis.map((api, i) => (i === 1 ? { ...api, status: undefined } : api)),
    };
    const result = await apply(withoutStatus);
    expect(result).toEqual(unchangedResult(result));
    expect(await dumpRegistry(test.database)).toEqual(before);

    // A status the file does give is applied.
    const bnvSuspended: DeclarativeConfig = {
      ...example,
      consumers: [example.consumers[0], { ...example.consumers[1], status: 'suspended' }],
    };
    expect((await apply(bnvSuspended)).consumers).toEqual({ created: 0, updated: 1, unchanged: 1 });
  });

  it('never deletes what the file does not name', async () => {
    await apply(example);
    const before = await dumpRegistry(test.database);
    const result = await apply({ source: 'empty.yaml', consumers: [], admins: [], apis: [] });
    expect(Object.values(result)).toEqual(Object.values(result).map(() => NOTHING));
    expect(await dumpRegistry(test.database)).toEqual(before);
  });

  it('accepts a subscription to an API version already in the registry', async () => {
    await apply(example);
    const result = await apply({
      source: 'more.yaml',
      consumers: [
        {
          id: 'da-nang.hcc',
          name: 'Hành chính công Đà Nẵng',
          credentials: [],
          certificates: [],
          subscriptions: [{ api: 'registry-search', version: 'v2', environments: ['sandbox'] }],
        },
      ],
      admins: [],
      apis: [],
    });
    expect(result.subscriptions).toEqual({ created: 1, updated: 0, unchanged: 0 });
  });

  it('refuses a subscription to an API version in neither the file nor the registry, writing nothing', async () => {
    const unknown: DeclarativeConfig = {
      ...example,
      source: 'lgsp.yaml',
      consumers: [
        {
          ...example.consumers[0],
          subscriptions: [
            ...example.consumers[0].subscriptions,
            { api: 'nowhere', version: 'v1', environments: ['sandbox'] },
            { api: 'documents', version: 'v9', environments: ['sandbox'] },
          ],
        },
        example.consumers[1],
      ],
    };
    const error = await apply(unknown).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(DeclarativeConfigError);
    expect((error as Error).message.split('\n')).toEqual([
      'lgsp.yaml: consumers[0].subscriptions[1].api: no API nowhere in the file or the registry',
      'lgsp.yaml: consumers[0].subscriptions[2].version: API documents has no version v9 in the file or the registry',
    ]);
    const dump = await dumpRegistry(test.database);
    expect(Object.values(dump).every((rows) => rows.length === 0)).toBe(true);
  });

  it('refuses a client_id the registry already gives to the other kind of client', async () => {
    await apply(example);
    const error = await apply({
      source: 'lgsp.yaml',
      consumers: [],
      admins: [{ clientId: 'demo-consumer', secret: { plain: 'another-secret-0123456789' }, roles: ['provider'] }],
      apis: [],
    }).catch((thrown: unknown) => thrown);
    expect((error as Error).message).toBe(
      'lgsp.yaml: admins[0].client_id: demo-consumer is already a consumer credential in the registry',
    );
  });

  it('refuses a certificate the registry holds under another id', async () => {
    await apply(example);
    const hanoi = example.consumers[0];
    const error = await apply({
      ...example,
      consumers: [{ ...hanoi, certificates: [{ ...hanoi.certificates[0], id: 'tu-ha-noi-copy' }] }],
    }).catch((thrown: unknown) => thrown);
    expect((error as Error).message).toBe(
      `${example.source}: consumers[0].certificates[0]: the same certificate is already registered as tu-ha-noi-2026`,
    );
  });

  it('refuses a malformed client_secret_hash', async () => {
    const error = await apply({
      source: 'lgsp.yaml',
      consumers: [],
      admins: [{ clientId: 'x-admin', secret: { hash: 'md5:abc' }, roles: ['provider'] }],
      apis: [],
    }).catch((thrown: unknown) => thrown);
    expect((error as Error).message).toBe(
      'lgsp.yaml: admins[0].client_secret_hash: must match ^hmac-sha256:[A-Za-z0-9_-]{43}$',
    );
  });

  it('lets concurrent applies of the same file take turns', async () => {
    const results = await Promise.all([apply(example), apply(example)]);
    const created = results.map((result) => result.consumers.created).sort();
    expect(created).toEqual([0, 2]);
  });
});
