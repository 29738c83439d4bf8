import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  apis,
  apiVersions,
  applyDeclarativeConfig,
  auditLog,
  hashSecret,
  loadDeclarativeFile,
  parseDeclarativeConfig,
  subscriptions,
} from '@lgsp/data';
import { eq } from 'drizzle-orm';
import { parse } from 'yaml';

import { DIRECTORY_OPENAPI } from '../../../test/fixtures.util';
import { PEPPER, SETUP_TIMEOUT_MS, startTestRegistry, type TestRegistry } from '../../../test/registry-test.util';

const CONSUMER_SECRET = 'export-canary-secret-7c2b9e41d0a3';
const PATH = '/admin/v1/declarative-config';

/** A consumer subscribed to a REST version and to a SOAP one, which the format cannot express. */
const SEED = {
  format_version: '1',
  consumers: [
    {
      id: 'tu-ha-noi.qlcb',
      name: 'Hệ thống quản lý cán bộ, Thành uỷ Hà Nội',
      credentials: [{ client_id: 'demo-consumer', client_secret: CONSUMER_SECRET, environment: 'sandbox' }],
      limits: { read_per_minute: 100, write_per_minute: 30 },
      subscriptions: [{ api: 'persons', version: 'v1' }],
    },
  ],
  apis: [
    {
      domain: 'persons',
      version: 'v1',
      provider: 'Bộ Nội vụ',
      upstream: 'http://127.0.0.1:9100',
      openapi: DIRECTORY_OPENAPI,
      classification: 'noi-bo',
    },
  ],
};

const SKIPPED = [
  'api version persons v2: a SOAP service, and the format describes REST versions (openapi) only',
  'subscription of tu-ha-noi.qlcb to persons v2: its API version is not exported',
];

describe('exporting the declarative configuration through the admin API', () => {
  let registry: TestRegistry;
  let dgo: string;

  beforeAll(async () => {
    registry = await startTestRegistry();
  }, SETUP_TIMEOUT_MS);
  afterAll(() => registry?.close());
  beforeEach(async () => {
    await registry.truncate();
    const { db } = registry.database;
    const seed = await parseDeclarativeConfig(SEED, { source: 'seed', baseDir: __dirname });
    await applyDeclarativeConfig(db, seed, { pepper: PEPPER });
    const [persons] = await db.select().from(apis).where(eq(apis.domain, 'persons'));
    const [soap] = await db
      .insert(apiVersions)
      .values({
        apiId: persons.id,
        version: 'v2',
        kind: 'soap',
        status: 'published',
        classification: 'noi-bo',
        upstreamSandbox: 'http://127.0.0.1:9200',
        upstreamProduction: 'http://127.0.0.1:9200',
        wsdlUrl: 'http://127.0.0.1:9200/persons?wsdl',
        soapReadActions: ['GetPerson'],
      })
      .returning();
    await db
      .insert(subscriptions)
      .values({ consumerId: 'tu-ha-noi.qlcb', apiVersionId: soap.id, environment: 'sandbox' });
    dgo = await registry.tokenFor({ clientId: 'dgo', roles: ['dgo-admin'] });
  });

  it('answers YAML by default: hashes only, and what it left out in a comment and in x-lgsp-skipped', async () => {
    const response = await registry.call('GET', PATH, { token: dgo });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/yaml/);
    const text = response.body as string;
    expect(text).not.toContain(CONSUMER_SECRET);
    expect(text).toMatch(/^format_version: "1"$/m);
    for (const line of SKIPPED) expect(text).toContain(`#   - ${line}\n`);
    expect(response.headers.get('x-lgsp-skipped')).toBe(SKIPPED.map((line) => `"${line}"`).join(', '));

    const file = parse(text);
    const loaded = await parseDeclarativeConfig(file, { source: 'export.yaml', baseDir: __dirname });
    expect(loaded.consumers).toEqual([
      {
        id: 'tu-ha-noi.qlcb',
        name: 'Hệ thống quản lý cán bộ, Thành uỷ Hà Nội',
        status: 'active',
        credentials: [
          { clientId: 'demo-consumer', secret: { hash: hashSecret(CONSUMER_SECRET, PEPPER) }, environment: 'sandbox' },
        ],
        certificates: [],
        limits: { readPerMinute: 100, writePerMinute: 30 },
        subscriptions: [{ api: 'persons', version: 'v1', environments: ['sandbox', 'production'] }],
      },
    ]);
    expect(file.apis).toEqual([{ ...SEED.apis[0], status: 'published' }]);
    expect(file.admins).toEqual([
      { client_id: 'dgo', client_secret_hash: hashSecret('unused-secret', PEPPER), roles: ['dgo-admin'] },
    ]);
  });

  it('answers the same file as JSON with ?format=json', async () => {
    const yaml = await registry.call('GET', PATH, { token: dgo });
    const json = await registry.call('GET', `${PATH}?format=json`, { token: dgo });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.body).toEqual(parse(yaml.body as string));
    expect(json.headers.get('x-lgsp-skipped')).toBe(yaml.headers.get('x-lgsp-skipped'));
  });

  it('gives a file the registry loads back, and applying it changes nothing', async () => {
    const response = await registry.call('GET', PATH, { token: dgo });
    const directory = await mkdtemp(join(tmpdir(), 'lgsp-export-'));
    try {
      const file = join(directory, 'lgsp.yaml');
      await writeFile(file, response.body as string);
      const result = await applyDeclarativeConfig(registry.database.db, await loadDeclarativeFile(file), {
        pepper: PEPPER,
      });
      expect(Object.values(result).every((counts) => counts.created === 0 && counts.updated === 0)).toBe(true);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('keeps who exported the secret hashes in the audit trail', async () => {
    await registry.call('GET', `${PATH}?format=json`, { token: dgo });
    const entries = await registry.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'declarative-config.export'));
    expect(entries).toMatchObject([{ actor: 'dgo', targetType: 'registry', after: { format: 'json', skipped: 2 } }]);
  });

  it('is for the DGO only, and answers 400 to a malformed parameter', async () => {
    expect((await registry.call('GET', PATH)).status).toBe(401);
    expect((await registry.call('GET', PATH, { token: 'x.y.z' })).status).toBe(401);
    const provider = await registry.tokenFor({ clientId: 'bnv-dev', roles: ['provider'], organisation: 'bo-noi-vu' });
    expect((await registry.call('GET', PATH, { token: provider })).status).toBe(403);
    const soc = await registry.tokenFor({ clientId: 'soc', roles: ['soc-analyst'] });
    expect((await registry.call('GET', PATH, { token: soc })).status).toBe(403);

    const wrongFormat = await registry.call('GET', `${PATH}?format=xml`, { token: dgo });
    expect(wrongFormat.status).toBe(400);
    expect(wrongFormat.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await registry.call('GET', `${PATH}?pretty=true`, { token: dgo })).status).toBe(400);
  });
});
