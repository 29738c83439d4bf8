import { join } from 'node:path';

import { eq } from 'drizzle-orm';

import {
  DATABASE_KINDS,
  SETUP_TIMEOUT_MS,
  type TestLgspDatabase,
  openTestDatabase,
} from '../../../test/test-database.util';
import { parseCertificate } from '../certificate.util';
import { applyDeclarativeConfig } from '../declarative/apply-declarative-config.util';
import type { DeclarativeConfig } from '../declarative/declarative-config.type';
import { loadDeclarativeFile } from '../declarative/load-declarative-file.util';
import { certificates } from '../schema';
import { loadRegistrySnapshot } from './load-registry-snapshot.util';

describe.each(DATABASE_KINDS)('loadRegistrySnapshot on %s', (kind) => {
  let test: TestLgspDatabase;
  let example: DeclarativeConfig;

  beforeAll(async () => {
    [test, example] = await Promise.all([
      openTestDatabase(kind),
      loadDeclarativeFile(join(__dirname, '../declarative/fixtures/lgsp.yaml')),
    ]);
  }, SETUP_TIMEOUT_MS);
  afterAll(() => test?.close());
  beforeEach(() => test.truncate());

  it('is empty on an empty registry', async () => {
    expect(await loadRegistrySnapshot(test.database.db)).toEqual({
      apiVersions: [],
      consumers: [],
      subscriptions: [],
      rateLimits: [],
      certificates: [],
      blocks: [],
    });
  });

  it('returns what was applied, as plain data', async () => {
    await applyDeclarativeConfig(test.database.db, example, { pepper: 'snapshot-pepper-0123456789' });
    const snapshot = await loadRegistrySnapshot(test.database.db);

    expect(snapshot.apiVersions.map(({ id: _id, openapi: _openapi, ...rest }) => rest)).toEqual([
      {
        domain: 'documents',
        version: 'v1',
        kind: 'rest',
        status: 'published',
        classification: 'noi-bo',
        upstreams: { sandbox: 'http://127.0.0.1:9100', production: 'http://127.0.0.1:9100' },
      },
      {
        domain: 'documents',
        version: 'v2',
        kind: 'rest',
        status: 'draft',
        classification: 'noi-bo',
        upstreams: { sandbox: 'http://127.0.0.1:9100/v2', production: 'http://127.0.0.1:9100/v2' },
      },
      {
        domain: 'registry-search',
        version: 'v2',
        kind: 'rest',
        provider: 'Bộ Nội vụ',
        status: 'deprecated',
        deprecatedAt: expect.any(String),
        classification: 'mat',
        upstreams: { sandbox: 'http://127.0.0.1:9200', production: 'https://registry-search.bnv.gov.vn' },
        readTimeoutMs: 5000,
        writeTimeoutMs: 15000,
        sunset: '2027-06-30',
      },
    ]);
    expect(snapshot.apiVersions.map((v) => v.openapi)).toEqual(example.apis.map((api) => api.openapi));

    expect(snapshot.consumers).toEqual([
      { id: 'bo-noi-vu.hrm', status: 'active' },
      { id: 'tu-ha-noi.qlcb', status: 'active' },
    ]);

    const versionId = (domain: string, version: string) =>
      snapshot.apiVersions.find((v) => v.domain === domain && v.version === version)?.id;
    const expectedSubscriptions = [
      { consumerId: 'bo-noi-vu.hrm', apiVersionId: versionId('documents', 'v1'), environment: 'production' },
      { consumerId: 'bo-noi-vu.hrm', apiVersionId: versionId('registry-search', 'v2'), environment: 'sandbox' },
      { consumerId: 'bo-noi-vu.hrm', apiVersionId: versionId('registry-search', 'v2'), environment: 'production' },
      { consumerId: 'tu-ha-noi.qlcb', apiVersionId: versionId('documents', 'v1'), environment: 'sandbox' },
      { consumerId: 'tu-ha-noi.qlcb', apiVersionId: versionId('documents', 'v1'), environment: 'production' },
    ];
    expect(snapshot.subscriptions).toHaveLength(expectedSubscriptions.length);
    expect(snapshot.subscriptions).toEqual(expect.arrayContaining(expectedSubscriptions));

    expect(snapshot.rateLimits).toEqual([
      { consumerId: 'tu-ha-noi.qlcb', apiVersionId: null, readPerMinute: 1000, writePerMinute: 300 },
    ]);

    const hanoi = parseCertificate(example.consumers[0].certificates[0].pem);
    const bnv = parseCertificate(example.consumers[1].certificates[0].pem);
    expect(snapshot.certificates).toEqual([
      {
        id: 'bnv-2026',
        consumerId: 'bo-noi-vu.hrm',
        pem: bnv.pem,
        fingerprintSha256: bnv.fingerprintSha256,
        notBefore: bnv.notBefore.toISOString(),
        notAfter: bnv.notAfter.toISOString(),
        status: 'active',
      },
      {
        id: 'tu-ha-noi-2026',
        consumerId: 'tu-ha-noi.qlcb',
        pem: hanoi.pem,
        fingerprintSha256: hanoi.fingerprintSha256,
        notBefore: hanoi.notBefore.toISOString(),
        notAfter: hanoi.notAfter.toISOString(),
        status: 'active',
      },
    ]);

    // Survives a trip through JSON, as a replica's on-disk copy does.
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('reflects changes made after an apply', async () => {
    await applyDeclarativeConfig(test.database.db, example, { pepper: 'snapshot-pepper-0123456789' });
    await test.database.db.update(certificates).set({ status: 'revoked' }).where(eq(certificates.id, 'bnv-2026'));
    const snapshot = await loadRegistrySnapshot(test.database.db);
    expect(snapshot.certificates.find((c) => c.id === 'bnv-2026')?.status).toBe('revoked');
  });
});
