import { auditLog, consumerSystems, notifications, subscriptions } from '@lgsp/data';
import { asc, eq } from 'drizzle-orm';

import { SETUP_TIMEOUT_MS, startTestRegistry, type TestRegistry } from '../../../test/registry-test.util';

const persons = (extra: Record<string, unknown> = {}, personExtra: Record<string, unknown> = {}) => ({
  openapi: '3.0.3',
  info: { title: 'Persons', version: '1.0.0' },
  paths: {
    '/persons/{id}': {
      get: {
        operationId: 'getPerson',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'A person',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { id: { type: 'string' }, fullName: { type: 'string' }, ...personExtra } },
              },
            },
          },
        },
      },
    },
    ...extra,
  },
});

const DAY_MS = 86_400_000;

describe('provider APIs through the admin API', () => {
  let registry: TestRegistry;
  let dgo: string;
  let bnv: string;
  let otherProvider: string;
  const register = (version: string, openapi: unknown, token = bnv, extra: Record<string, unknown> = {}) =>
    registry.call('POST', '/admin/v1/apis/persons/versions', {
      token,
      body: { version, name: 'Cơ sở dữ liệu cán bộ', openapi, upstreams: { sandbox: 'http://127.0.0.1:9100', production: 'https://persons.bnv.gov.vn' }, classification: 'noi-bo', ...extra },
    });
  const lifecycle = (version: string, body: Record<string, unknown>, token = bnv) =>
    registry.call('POST', `/admin/v1/apis/persons/versions/${version}/lifecycle`, { token, body });

  beforeAll(async () => {
    registry = await startTestRegistry({ now: new Date('2026-01-05T03:00:00Z') });
  }, SETUP_TIMEOUT_MS);
  afterAll(() => registry?.close());
  beforeEach(async () => {
    await registry.truncate();
    registry.setNow(new Date('2026-01-05T03:00:00Z'));
    dgo = await registry.tokenFor({ clientId: 'dgo', roles: ['dgo-admin'] });
    bnv = await registry.tokenFor({ clientId: 'bnv-dev', roles: ['provider'], organisation: 'bo-noi-vu' });
    otherProvider = await registry.tokenFor({ clientId: 'btc-dev', roles: ['provider'], organisation: 'bo-tai-chinh' });
  });

  it('takes a version from upload to published, deprecated under the 60- and 180-day rules, and retired', async () => {
    const created = await register('v1', persons());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ api: 'persons', version: 'v1', provider: 'bo-noi-vu', status: 'draft', kind: 'rest', classification: 'noi-bo' });
    expect(registry.published).toEqual([]);

    expect((await lifecycle('v1', { status: 'published' })).body).toMatchObject({ status: 'published', publishedAt: '2026-01-05T03:00:00.000Z' });
    expect(registry.published).toEqual([{ kind: 'registry' }]);

    // A consumer subscribed to v1 hears about its deprecation.
    await registry.database.db.insert(consumerSystems).values({ id: 'tu-ha-noi.qlcb', name: 'QLCB', organisation: 'tu-ha-noi' });
    const v1Id = (await registry.database.db.query.apiVersions.findFirst())!.id;
    await registry.database.db.insert(subscriptions).values({ consumerId: 'tu-ha-noi.qlcb', apiVersionId: v1Id, environment: 'production' });

    // v2 is published on 1 March 2026: v1 must stay in service until 28 August 2026 (180 days).
    registry.setNow(new Date('2026-03-01T03:00:00Z'));
    await register('v2', persons({}, { birthDate: { type: 'string', format: 'date' } }));
    await lifecycle('v2', { status: 'published' });

    const noSunset = await lifecycle('v1', { status: 'deprecated' });
    expect(noSunset.status).toBe(422);
    expect(noSunset.body.rule).toBe('sunset-required');

    const tooSoon = await lifecycle('v1', { status: 'deprecated', sunset: '2026-04-01' });
    expect(tooSoon.status).toBe(422);
    expect(tooSoon.body).toMatchObject({ code: 'unprocessable', rule: 'successor-overlap-180-days', earliest: '2026-08-28' });

    const deprecated = await lifecycle('v1', { status: 'deprecated', sunset: '2026-08-28' });
    expect(deprecated.status).toBe(200);
    expect(deprecated.body).toMatchObject({ status: 'deprecated', sunset: '2026-08-28', deprecatedAt: '2026-03-01T03:00:00.000Z' });
    const told = await registry.database.db.select().from(notifications).where(eq(notifications.consumerId, 'tu-ha-noi.qlcb'));
    expect(told).toEqual([
      expect.objectContaining({ kind: 'api-deprecated', detail: { api: 'persons', version: 'v1', status: 'deprecated', sunset: '2026-08-28', successor: 'v2' } }),
    ]);
    const hanoi = await registry.tokenFor({ clientId: 'hanoi-staff', roles: ['consumer'], organisation: 'tu-ha-noi' });
    const feed = await registry.call('GET', '/admin/v1/consumers/tu-ha-noi.qlcb/notifications', { token: hanoi });
    expect(feed.body).toEqual([expect.objectContaining({ kind: 'api-deprecated', title: expect.stringContaining('2026-08-28') })]);
    expect((await registry.call('GET', `/admin/v1/consumers/tu-ha-noi.qlcb/notifications?after=${feed.body[0].id}`, { token: hanoi })).body).toEqual([]);

    // Retirement only on or after the sunset date (Vietnam time).
    registry.setNow(new Date('2026-08-27T16:59:59Z'));
    const early = await lifecycle('v1', { status: 'retired' });
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ rule: 'sunset-not-reached', earliest: '2026-08-28' });
    registry.setNow(new Date('2026-08-27T17:00:00Z'));
    const retired = await lifecycle('v1', { status: 'retired' });
    expect(retired.status).toBe(200);
    expect(retired.body.status).toBe('retired');
    expect((await registry.database.db.select().from(notifications)).map((n) => n.kind)).toEqual(['api-deprecated', 'api-retired']);

    // Nothing comes back from retirement.
    expect((await lifecycle('v1', { status: 'published' })).body.rule).toBe('transition-not-allowed');

    const trail = await registry.database.db.select({ action: auditLog.action, target: auditLog.targetId }).from(auditLog).orderBy(asc(auditLog.id));
    expect(trail.filter((e) => e.target === 'persons v1').map((e) => e.action)).toEqual([
      'api-version.register',
      'api-version.lifecycle',
      'api-version.lifecycle',
      'api-version.lifecycle',
    ]);
  });

  it('needs 60 days of notice even without a successor, and never goes from published straight to retired', async () => {
    await register('v1', persons());
    await lifecycle('v1', { status: 'published' });
    expect((await lifecycle('v1', { status: 'retired' })).body.rule).toBe('transition-not-allowed');
    const short = await lifecycle('v1', { status: 'deprecated', sunset: '2026-03-05' });
    expect(short.body).toMatchObject({ rule: 'sunset-notice-60-days', earliest: '2026-03-06' });
    expect((await lifecycle('v1', { status: 'deprecated', sunset: '2026-03-06' })).status).toBe(200);
  });

  it('refuses a breaking change to a published document — "ship it as a new major version" — and takes a compatible one', async () => {
    await register('v1', persons());
    await lifecycle('v1', { status: 'published' });
    const update = (openapi: unknown) => registry.call('PUT', '/admin/v1/apis/persons/versions/v1/openapi', { token: bnv, body: { openapi } });

    const withoutFullName = persons();
    const schema = (withoutFullName.paths['/persons/{id}'].get.responses['200'].content['application/json'].schema as { properties: Record<string, unknown> });
    delete schema.properties.fullName;
    const breaking = await update(withoutFullName);
    expect(breaking.status).toBe(422);
    expect(breaking.body).toMatchObject({ code: 'unprocessable', rule: 'breaking-change', detail: expect.stringContaining('ship it as a new major version (v2)') });
    expect(breaking.body.errors).toEqual([expect.objectContaining({ rule: 'response-field-removed', message: expect.stringContaining('fullName') })]);

    const removedOperation = { ...persons(), paths: {} };
    expect((await update(removedOperation)).body.errors).toEqual([expect.objectContaining({ rule: 'operation-removed' })]);

    const published = registry.published.length;
    const compatible = await update(persons({ '/persons': { get: { responses: { '200': { description: 'All' } } } } }, { email: { type: 'string' } }));
    expect(compatible.status).toBe(200);
    expect(registry.published.length).toBe(published + 1);
    const shown = await registry.call('GET', '/admin/v1/apis/persons/versions/v1', { token: bnv });
    expect(shown.body.operations.map((o: { key: string }) => o.key)).toEqual(['GET /persons', 'GET /persons/{id}']);
  });

  it('answers 422 with every problem of an invalid document located by JSON pointer, and refuses Tuyệt mật operations', async () => {
    const invalid = await register('v1', { openapi: '3.0.3', info: { title: 'x' }, paths: { '/a': { get: { responses: { '200': { description: 1 } } } } } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.rule).toBe('openapi-invalid');
    expect(invalid.body.errors.length).toBeGreaterThanOrEqual(1);
    for (const item of invalid.body.errors) expect(item.location === '' || item.location.startsWith('/')).toBe(true);

    const secret = persons({ '/dossiers': { get: { 'x-lgsp-classification': 'tuyet-mat', responses: { '200': { description: 'x' } } } } });
    const refused = await register('v1', secret);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ rule: 'classification-refused', errors: [expect.objectContaining({ location: '/paths/~1dossiers/get/x-lgsp-classification' })] });
    expect(await registry.database.db.query.apiVersions.findMany()).toEqual([]);
    expect(await registry.database.db.select().from(auditLog)).toEqual([]);
  });

  it('keeps providers to their own APIs, and registers SOAP services by WSDL', async () => {
    await register('v1', persons());
    const foreign = await register('v2', persons(), otherProvider);
    expect(foreign.status).toBe(403);
    expect((await lifecycle('v1', { status: 'published' }, otherProvider)).status).toBe(404);
    // Another provider's drafts are not even listed.
    expect((await registry.call('GET', '/admin/v1/apis', { token: otherProvider })).body).toEqual([]);

    const soap = await registry.call('POST', '/admin/v1/apis/civil-status/versions', {
      token: dgo,
      body: {
        version: 'v1',
        provider: 'bo-tu-phap',
        kind: 'soap',
        wsdlUrl: 'http://127.0.0.1:9300/CivilStatus?wsdl',
        soapReadActions: ['urn:GetBirthRecord'],
        upstreams: { sandbox: 'http://127.0.0.1:9300/CivilStatus', production: 'http://127.0.0.1:9300/CivilStatus' },
        classification: 'noi-bo',
      },
    });
    expect(soap.status).toBe(201);
    expect(soap.body).toMatchObject({ kind: 'soap', provider: 'bo-tu-phap' });
    const shown = await registry.call('GET', '/admin/v1/apis/civil-status/versions/v1', { token: dgo });
    expect(shown.body).toMatchObject({ wsdlUrl: 'http://127.0.0.1:9300/CivilStatus?wsdl', soapReadActions: ['urn:GetBirthRecord'], openapi: null });
  });

  it('removes drafts only', async () => {
    await register('v1', persons());
    expect((await registry.call('DELETE', '/admin/v1/apis/persons/versions/v1', { token: bnv })).status).toBe(204);
    await register('v1', persons());
    await lifecycle('v1', { status: 'published' });
    expect((await registry.call('DELETE', '/admin/v1/apis/persons/versions/v1', { token: bnv })).status).toBe(409);
    void DAY_MS;
  });
});
