import { join } from 'node:path';

import { and, eq } from 'drizzle-orm';

import {
  DATABASE_KINDS,
  dumpRegistry,
  openTestDatabase,
  SETUP_TIMEOUT_MS,
  type TestLgspDatabase,
} from '../../../test/test-database.util';
import {
  adminClients,
  apis,
  apiVersions,
  certificates,
  consumerSystems,
  credentials,
  rateLimits,
  subscriptions,
} from '../schema';
import { hashSecret, verifySecret } from '../secret-hash.util';
import { applyDeclarativeConfig } from './apply-declarative-config.util';
import type { DeclarativeConfig } from './declarative-config.type';
import { checkAgainstSchema } from './declarative-schema.util';
import { exportDeclarativeConfig } from './export-declarative-config.util';
import { loadDeclarativeFile, parseDeclarativeConfig } from './load-declarative-file.util';

const PEPPER = 'test-pepper-4b1d7e0c9a2f6e3d8c5b';
const CONSUMER_SECRET = 'canary-secret-5f0c1e9a7b3d4c2e8f6a';
const ADMIN_SECRET = 'canary-admin-secret-9d8c7b6a5f4e';

type Row = Record<string, unknown>;

/** Tables whose primary key is a generated uuid rather than a natural key. */
const GENERATED_IDS = new Set(['apis', 'api_versions', 'rate_limits', 'subscriptions']);
const LIFECYCLE_TIMES = ['published_at', 'deprecated_at', 'retired_at'];

/**
 * A dump with what a rebuild cannot reproduce taken out: generated ids (foreign keys to API versions
 * become "domain version"), creation and update times, and lifecycle times reduced to set or not.
 */
function comparable(dump: Record<string, unknown[]>): Record<string, unknown[]> {
  const tables = dump as Record<string, Row[]>;
  const domains = new Map(tables['apis'].map((api) => [api['id'], api['domain']]));
  const versions = new Map(
    tables['api_versions'].map((v) => [v['id'], `${String(domains.get(v['api_id']))} ${String(v['version'])}`]),
  );
  const result: Record<string, unknown[]> = {};
  for (const [table, rows] of Object.entries(tables)) {
    result[table] = rows
      .map((row) => {
        const copy: Row = { ...row };
        delete copy['created_at'];
        delete copy['updated_at'];
        if (GENERATED_IDS.has(table)) delete copy['id'];
        for (const column of LIFECYCLE_TIMES) if (column in copy) copy[column] = copy[column] === null ? null : 'set';
        if ('api_id' in copy) copy['api_id'] = domains.get(copy['api_id']);
        if ('api_version_id' in copy) copy['api_version_id'] = versions.get(copy['api_version_id']) ?? null;
        return copy;
      })
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return result;
}

describe.each(DATABASE_KINDS)('exportDeclarativeConfig on %s', (kind) => {
  let live: TestLgspDatabase;
  let rebuilt: TestLgspDatabase;
  let example: DeclarativeConfig;

  beforeAll(async () => {
    [live, rebuilt, example] = await Promise.all([
      openTestDatabase(kind),
      openTestDatabase(kind),
      loadDeclarativeFile(join(__dirname, 'fixtures/lgsp.yaml')),
    ]);
  }, SETUP_TIMEOUT_MS);
  afterAll(() => Promise.all([live?.close(), rebuilt?.close()]));
  beforeEach(async () => {
    await Promise.all([live.truncate(), rebuilt.truncate()]);
    await applyDeclarativeConfig(live.database.db, example, { pepper: PEPPER });
  });

  /** Loads the export as LGSP_DECLARATIVE_CONFIG would and applies it to the empty database. */
  async function rebuildFrom(config: unknown): Promise<void> {
    const loaded = await parseDeclarativeConfig(config, { source: 'export.yaml', baseDir: __dirname });
    await applyDeclarativeConfig(rebuilt.database.db, loaded, { pepper: PEPPER });
  }

  it('writes a file the schema accepts, in format 1, sorted by natural key', async () => {
    const { config, skipped } = await exportDeclarativeConfig(live.database.db);
    expect(checkAgainstSchema(config)).toEqual({ valid: true, value: config });
    expect(skipped).toEqual([]);
    expect(config.format_version).toBe('1');
    expect(config.consumers?.map((c) => c.id)).toEqual(['bo-noi-vu.hrm', 'tu-ha-noi.qlcb']);
    expect(config.admins?.map((a) => a.client_id)).toEqual(['dgo-admin', 'soc']);
    expect(config.apis?.map((a) => `${a.domain} ${a.version}`)).toEqual([
      'documents v1',
      'documents v2',
      'registry-search v2',
    ]);
    expect(config.consumers?.[0]).toEqual({
      id: 'bo-noi-vu.hrm',
      name: 'Hệ thống quản lý nhân sự, Bộ Nội vụ',
      organisation: 'Bộ Nội vụ',
      status: 'active',
      credentials: [
        {
          client_id: 'bnv-production',
          client_secret_hash: 'hmac-sha256:Y2FuYXJ5LWhhc2gtMDEyMzQ1Njc4OWFiY2RlZi0wMTI',
          environment: 'production',
          token_ttl_seconds: 600,
        },
      ],
      certificates: [{ id: 'bnv-2026', pem: example.consumers[1].certificates[0].pem }],
      subscriptions: [
        { api: 'documents', version: 'v1', environments: ['production'] },
        { api: 'registry-search', version: 'v2', environments: ['sandbox', 'production'] },
      ],
    });
    expect(config.apis?.[2]).toEqual({
      domain: 'registry-search',
      version: 'v2',
      name: 'Tra cứu đăng ký',
      provider: 'Bộ Nội vụ',
      upstreams: { sandbox: 'http://127.0.0.1:9200', production: 'https://registry-search.bnv.gov.vn' },
      openapi: example.apis[2].openapi,
      classification: 'mat',
      status: 'deprecated',
      sunset: '2027-06-30',
      read_timeout_ms: 5000,
      write_timeout_ms: 15000,
    });
    expect(config.apis?.[0]).toMatchObject({ upstream: 'http://127.0.0.1:9100', status: 'published' });
  });

  it('carries hashes only: no plain secret of the file, and the hashes still verify', async () => {
    const { config } = await exportDeclarativeConfig(live.database.db);
    const text = JSON.stringify(config);
    expect(text).not.toContain(CONSUMER_SECRET);
    expect(text).not.toContain(ADMIN_SECRET);
    expect(text).not.toMatch(/"client_secret"/);
    const hanoi = config.consumers?.find((c) => c.id === 'tu-ha-noi.qlcb');
    expect(verifySecret(CONSUMER_SECRET, hanoi?.credentials?.[0].client_secret_hash ?? '', PEPPER)).toBe(true);
    const dgo = config.admins?.find((a) => a.client_id === 'dgo-admin');
    expect(verifySecret(ADMIN_SECRET, dgo?.client_secret_hash ?? '', PEPPER)).toBe(true);
  });

  it('rebuilds the registry in an empty database, all but generated ids and times', async () => {
    const { config } = await exportDeclarativeConfig(live.database.db);
    await rebuildFrom(config);
    const before = await dumpRegistry(live.database);
    const after = await dumpRegistry(rebuilt.database);
    expect(comparable(after)).toEqual(comparable(before));
    // The secret hashes, the certificates and the OpenAPI documents come back byte for byte.
    expect(after['credentials'].map((row) => (row as Row)['secret_hash']).sort()).toEqual(
      before['credentials'].map((row) => (row as Row)['secret_hash']).sort(),
    );
    // And the rebuilt registry exports to the same file: the export is a fixed point.
    expect(await exportDeclarativeConfig(rebuilt.database.db)).toEqual(await exportDeclarativeConfig(live.database.db));
  });

  it('applied back to the registry it came from, changes nothing', async () => {
    const before = await dumpRegistry(live.database);
    const { config } = await exportDeclarativeConfig(live.database.db);
    const loaded = await parseDeclarativeConfig(config, { source: 'export.yaml', baseDir: __dirname });
    const result = await applyDeclarativeConfig(live.database.db, loaded, { pepper: PEPPER });
    expect(Object.values(result).every((counts) => counts.created === 0 && counts.updated === 0)).toBe(true);
    expect(await dumpRegistry(live.database)).toEqual(before);
  });

  it('leaves out what the format cannot express, says so, and what it writes still rebuilds', async () => {
    const { db } = live.database;
    const [documents] = await db.select().from(apis).where(eq(apis.domain, 'documents'));
    const [v1] = await db
      .select()
      .from(apiVersions)
      .where(and(eq(apiVersions.apiId, documents.id), eq(apiVersions.version, 'v1')));
    const [soap] = await db
      .insert(apiVersions)
      .values({
        apiId: documents.id,
        version: 'v3',
        kind: 'soap',
        status: 'published',
        classification: 'noi-bo',
        upstreamSandbox: 'http://127.0.0.1:9300',
        upstreamProduction: 'http://127.0.0.1:9300',
        wsdlUrl: 'http://127.0.0.1:9300/documents?wsdl',
        soapReadActions: ['GetDocument'],
      })
      .returning();
    await db.insert(apiVersions).values({
      apiId: documents.id,
      version: 'v4',
      classification: 'noi-bo',
      upstreamSandbox: 'http://127.0.0.1:9400',
      upstreamProduction: 'http://127.0.0.1:9400',
      openapi: { openapi: '3.1.0', info: { title: 'Documents', version: '4.0.0' }, paths: {} },
      openapiSha256: 'not-checked-here',
    });
    await db.update(apiVersions).set({ sunset: '2027-01-01' }).where(eq(apiVersions.id, v1.id));
    await db.insert(apis).values({ domain: 'empty', name: 'Không có phiên bản' });
    await db
      .insert(subscriptions)
      .values({ consumerId: 'tu-ha-noi.qlcb', apiVersionId: soap.id, environment: 'sandbox' });
    await db
      .insert(rateLimits)
      .values({ consumerId: 'bo-noi-vu.hrm', apiVersionId: v1.id, readPerMinute: 10, writePerMinute: 5 });
    await db
      .update(consumerSystems)
      .set({ securityLevel: 2, maxClassification: 'noi-bo', connectionOption: 2 })
      .where(eq(consumerSystems.id, 'tu-ha-noi.qlcb'));
    await db.insert(credentials).values([
      {
        clientId: 'hanoi-old',
        consumerId: 'tu-ha-noi.qlcb',
        environment: 'sandbox',
        secretHash: hashSecret('an-old-revoked-secret-value', PEPPER),
        status: 'revoked',
      },
    ]);
    await db
      .update(credentials)
      .set({
        previousSecretHash: hashSecret('a-previous-secret-value', PEPPER),
        previousSecretExpiresAt: new Date(Date.now() + 3_600_000),
      })
      .where(eq(credentials.clientId, 'demo-consumer'));
    await db.update(certificates).set({ status: 'revoked' }).where(eq(certificates.id, 'bnv-2026'));
    await db.insert(consumerSystems).values({ id: 'odd.consumer', name: 'Odd' });
    await db.insert(credentials).values({
      clientId: 'odd-client',
      consumerId: 'odd.consumer',
      environment: 'sandbox',
      secretHash: hashSecret('odd-secret-value-0123456789', PEPPER),
      tokenTtlSeconds: 30,
    });
    await db.update(adminClients).set({ organisation: 'soc-unit' }).where(eq(adminClients.clientId, 'soc'));
    await db.insert(adminClients).values([
      {
        clientId: 'former-admin',
        roles: ['dgo-admin'],
        secretHash: hashSecret('former-secret-value', PEPPER),
        status: 'revoked',
      },
      { clientId: 'demo-consumer', roles: ['consumer'], secretHash: hashSecret('clash-secret-value', PEPPER) },
    ]);

    const { config, skipped } = await exportDeclarativeConfig(db);
    expect(skipped).toEqual([
      'api empty: has no version, and the format lists versions',
      'api version documents v1: its sunset, allowed only on a deprecated version',
      'api version documents v3: a SOAP service, and the format describes REST versions (openapi) only',
      'api version documents v4: the format refuses it ' +
        '(openapi: the document is OpenAPI 3.1.0; only OpenAPI 3.0.x is accepted)',
      'certificate bnv-2026 of bo-noi-vu.hrm: revoked, and the format would make it usable again',
      'limits of bo-noi-vu.hrm for documents v1: per-API limits are not in the format',
      'consumer odd.consumer: the format refuses it (credentials[0].token_ttl_seconds: must be >= 60)',
      'consumer tu-ha-noi.qlcb: security_level, max_classification, connection_option, not in the format',
      'credential demo-consumer of tu-ha-noi.qlcb: its previous secret, still accepted during rotation',
      'credential hanoi-old of tu-ha-noi.qlcb: revoked, and the format would make it usable again',
      'subscription of tu-ha-noi.qlcb to documents v3: its API version is not exported',
      'admin client demo-consumer: a consumer credential has the same client_id, which the format refuses',
      'admin client former-admin: revoked, and the format would make it usable again',
    ]);
    expect(checkAgainstSchema(config).valid).toBe(true);
    expect(config.apis?.map((a) => `${a.domain} ${a.version}`)).toEqual([
      'documents v1',
      'documents v2',
      'registry-search v2',
    ]);
    expect(config.apis?.[0]).not.toHaveProperty('sunset');
    expect(config.consumers?.map((c) => c.id)).toEqual(['bo-noi-vu.hrm', 'tu-ha-noi.qlcb']);
    expect(config.consumers?.[0].certificates).toEqual([]);
    expect(config.consumers?.[1].credentials?.map((c) => c.client_id)).toEqual(['demo-consumer']);
    expect(config.admins?.map((a) => a.client_id)).toEqual(['dgo-admin', 'soc']);

    await rebuildFrom(config);
    expect(await exportDeclarativeConfig(rebuilt.database.db)).toEqual({ config, skipped: [] });
  });
});
