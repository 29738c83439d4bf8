import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'yaml';

import { parseCertificate } from '../certificate.util';
import { DeclarativeConfigError } from './declarative-config.error';
import { loadDeclarativeFile, parseDeclarativeConfig } from './load-declarative-file.util';

const FIXTURES = join(__dirname, 'fixtures');
const EXAMPLE = join(FIXTURES, 'lgsp.yaml');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests edit parsed documents freely
type Editable = any;

/** The example file as a plain object, changed by the test, then checked as `lgsp.yaml` beside the fixtures. */
async function loadVariant(change: (document: Editable) => unknown) {
  const document = parse(readFileSync(EXAMPLE, 'utf8'));
  change(document);
  return parseDeclarativeConfig(document, { source: 'lgsp.yaml', baseDir: FIXTURES });
}

async function problemsOf(change: Parameters<typeof loadVariant>[0]): Promise<string[]> {
  const error = await loadVariant(change).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DeclarativeConfigError);
  return (error as DeclarativeConfigError).message.split('\n');
}

describe('loadDeclarativeFile', () => {
  it('reads the example of the contract, resolving referenced files and applying defaults', async () => {
    const config = await loadDeclarativeFile(EXAMPLE);
    expect(config.source).toBe(EXAMPLE);
    const [hanoi, bnv] = config.consumers;
    expect(hanoi).toEqual({
      id: 'tu-ha-noi.qlcb',
      name: 'Hệ thống quản lý cán bộ, Thành uỷ Hà Nội',
      credentials: [
        {
          clientId: 'demo-consumer',
          secret: { plain: 'canary-secret-5f0c1e9a7b3d4c2e8f6a' },
          environment: 'sandbox',
        },
      ],
      certificates: [{ id: 'tu-ha-noi-2026', pem: readFileSync(join(FIXTURES, 'certs/tu-ha-noi.pem'), 'utf8') }],
      limits: { readPerMinute: 1000, writePerMinute: 300 },
      subscriptions: [{ api: 'documents', version: 'v1', environments: ['sandbox', 'production'] }],
    });
    expect(parseCertificate(bnv.certificates[0].pem).subject).toBe('CN=tu-ha-noi-2');
    expect(bnv.credentials[0]).toEqual({
      clientId: 'bnv-production',
      secret: { hash: 'hmac-sha256:Y2FuYXJ5LWhhc2gtMDEyMzQ1Njc4OWFiY2RlZi0wMTI' },
      environment: 'production',
      tokenTtlSeconds: 600,
    });
    expect(bnv.subscriptions[0].environments).toEqual(['production']);
    expect(config.admins).toEqual([
      { clientId: 'dgo-admin', secret: { plain: 'canary-admin-secret-9d8c7b6a5f4e' }, roles: ['dgo-admin'] },
      {
        clientId: 'soc',
        secret: { hash: 'hmac-sha256:c29jLWFuYWx5c3QtaGFzaC0wMTIzNDU2Nzg5YWJjZGV' },
        roles: ['soc-analyst', 'consumer'],
        name: 'SOC team',
        organisation: 'tu-ha-noi',
      },
    ]);
    const [v1, , search] = config.apis;
    expect(v1).toMatchObject({
      domain: 'documents',
      version: 'v1',
      upstreams: { sandbox: 'http://127.0.0.1:9100', production: 'http://127.0.0.1:9100' },
      classification: 'noi-bo',
      status: 'published',
    });
    expect(v1.openapi).toMatchObject({ openapi: '3.0.3', paths: { '/documents/{id}': {} } });
    expect(search).toMatchObject({
      upstreams: { sandbox: 'http://127.0.0.1:9200', production: 'https://registry-search.bnv.gov.vn' },
      status: 'deprecated',
      sunset: '2027-06-30',
      readTimeoutMs: 5000,
      writeTimeoutMs: 15000,
      name: 'Tra cứu đăng ký',
      provider: 'Bộ Nội vụ',
    });
    expect(search.openapi).toMatchObject({ openapi: '3.0.3', paths: { '/search': {} } });
  });

  it('leaves out what the file leaves out', async () => {
    const config = await loadVariant((document) => {
      delete document.apis[0].status;
    });
    expect(config.apis[0]).not.toHaveProperty('status');
    expect(config.consumers[0]).not.toHaveProperty('status');
    expect(config.consumers[0]).not.toHaveProperty('organisation');
    expect(config.consumers[1]).not.toHaveProperty('limits');
  });

  it('reads JSON too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgsp-declarative-'));
    try {
      const document = parse(readFileSync(EXAMPLE, 'utf8'));
      document.consumers[0].certificates[0].pem_file = join(FIXTURES, 'certs/tu-ha-noi.pem');
      for (const api of document.apis) if (api.openapi_file) api.openapi_file = join(FIXTURES, api.openapi_file);
      await writeFile(join(dir, 'lgsp.json'), JSON.stringify(document));
      const config = await loadDeclarativeFile(join(dir, 'lgsp.json'));
      expect(config).toEqual({ ...(await loadDeclarativeFile(EXAMPLE)), source: join(dir, 'lgsp.json') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the file when it cannot be read or parsed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgsp-declarative-'));
    try {
      await expect(loadDeclarativeFile(join(dir, 'absent.yaml'))).rejects.toThrow(
        `${join(dir, 'absent.yaml')}: cannot be read (no such file)`,
      );
      await writeFile(join(dir, 'broken.yaml'), 'format_version: "1"\nconsumers: [\n');
      await expect(loadDeclarativeFile(join(dir, 'broken.yaml'))).rejects.toThrow(
        new RegExp(`^${join(dir, 'broken.yaml')}: is not valid YAML or JSON: .*line 3`),
      );
      await writeFile(join(dir, 'twice.yaml'), 'format_version: "1"\nformat_version: "1"\n');
      await expect(loadDeclarativeFile(join(dir, 'twice.yaml'))).rejects.toThrow('Map keys must be unique');
      await writeFile(join(dir, 'empty.yaml'), '');
      await expect(loadDeclarativeFile(join(dir, 'empty.yaml'))).rejects.toThrow(
        `${join(dir, 'empty.yaml')}: must be object`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('refuses, naming the field', () => {
    it.each([
      [
        'an unknown property',
        (d: Editable) => (d.consumers[0].credentials[0].colour = 'blue'),
        'lgsp.yaml: consumers[0].credentials[0].colour: is not a known property',
      ],
      [
        'an unknown top-level property',
        (d: Editable) => (d.gateways = []),
        'lgsp.yaml: gateways: is not a known property',
      ],
      [
        'a bad environment',
        (d: Editable) => (d.consumers[0].credentials[0].environment = 'staging'),
        'lgsp.yaml: consumers[0].credentials[0].environment: must be one of sandbox, production',
      ],
      [
        'a Tuyệt mật classification',
        (d: Editable) => (d.apis[0].classification = 'tuyet-mat'),
        'lgsp.yaml: apis[0].classification: tuyet-mat (Tuyệt mật) data may never cross the platform; use cong-khai, noi-bo, mat or toi-mat',
      ],
      [
        'an unknown classification',
        (d: Editable) => (d.apis[1].classification = 'secret'),
        'lgsp.yaml: apis[1].classification: must be one of cong-khai, noi-bo, mat, toi-mat',
      ],
      [
        'a missing upstream',
        (d: Editable) => delete d.apis[0].upstream,
        'lgsp.yaml: apis[0].upstream: is required (or upstreams)',
      ],
      [
        'upstream and upstreams together',
        (d: Editable) => (d.apis[0].upstreams = { sandbox: 'http://a.example', production: 'http://b.example' }),
        'lgsp.yaml: apis[0].upstreams: cannot be given together with upstream',
      ],
      [
        'an upstream that is not http(s)',
        (d: Editable) => (d.apis[0].upstream = 'ftp://127.0.0.1'),
        'lgsp.yaml: apis[0].upstream: must match ^https?://',
      ],
      [
        'client_secret and client_secret_hash together',
        (d: Editable) => (d.consumers[0].credentials[0].client_secret_hash = 'hmac-sha256:' + 'A'.repeat(43)),
        'lgsp.yaml: consumers[0].credentials[0].client_secret_hash: cannot be given together with client_secret',
      ],
      [
        'a credential without secret',
        (d: Editable) => delete d.consumers[0].credentials[0].client_secret,
        'lgsp.yaml: consumers[0].credentials[0].client_secret: is required (or client_secret_hash)',
      ],
      [
        'a malformed client_secret_hash',
        (d: Editable) => (d.admins[1].client_secret_hash = 'sha1:abc'),
        'lgsp.yaml: admins[1].client_secret_hash: must match ^hmac-sha256:[A-Za-z0-9_-]{43}$',
      ],
      [
        'a bad API version',
        (d: Editable) => (d.apis[0].version = 'V1'),
        'lgsp.yaml: apis[0].version: must match ^v[1-9][0-9]{0,3}$',
      ],
      [
        'a bad subscription version',
        (d: Editable) => (d.consumers[0].subscriptions[0].version = 'v0'),
        'lgsp.yaml: consumers[0].subscriptions[0].version: must match ^v[1-9][0-9]{0,3}$',
      ],
      [
        'an unknown admin role',
        (d: Editable) => (d.admins[0].roles = ['root']),
        'lgsp.yaml: admins[0].roles[0]: must be one of dgo-admin, provider, consumer, soc-analyst',
      ],
      [
        'a sunset on a published version',
        (d: Editable) => (d.apis[0].sunset = '2027-01-01'),
        'lgsp.yaml: apis[0].sunset: is only allowed with status deprecated or retired',
      ],
      [
        'a sunset that is not a date',
        (d: Editable) => (d.apis[2].sunset = 'next year'),
        'lgsp.yaml: apis[2].sunset: must be a date (YYYY-MM-DD)',
      ],
      [
        'a missing format_version',
        (d: Editable) => delete d.format_version,
        'lgsp.yaml: format_version: is required',
      ],
      [
        'a numeric format_version',
        (d: Editable) => (d.format_version = 1),
        'lgsp.yaml: format_version: must be "1"',
      ],
      [
        'limits of zero',
        (d: Editable) => (d.consumers[0].limits.write_per_minute = 0),
        'lgsp.yaml: consumers[0].limits.write_per_minute: must be >= 1',
      ],
      [
        'an unreadable pem_file',
        (d: Editable) => (d.consumers[0].certificates[0].pem_file = 'certs/missing.pem'),
        'lgsp.yaml: consumers[0].certificates[0].pem_file: cannot read certs/missing.pem (no such file)',
      ],
      [
        'a pem_file without a certificate',
        (d: Editable) => (d.consumers[0].certificates[0].pem_file = 'openapi/demo-provider.yaml'),
        'lgsp.yaml: consumers[0].certificates[0].pem_file: openapi/demo-provider.yaml does not hold a PEM X.509 certificate',
      ],
      [
        'an inline pem that does not parse',
        (d: Editable) =>
          (d.consumers[1].certificates[0].pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
        'lgsp.yaml: consumers[1].certificates[0].pem: is not a PEM X.509 certificate',
      ],
      [
        'an OpenAPI document that is not 3.0',
        (d: Editable) => (d.apis[0].openapi_file = 'openapi/openapi-3.1.yaml'),
        'lgsp.yaml: apis[0].openapi_file: openapi/openapi-3.1.yaml is OpenAPI 3.1.0; only OpenAPI 3.0.x is accepted',
      ],
      [
        'an inline OpenAPI document without paths',
        (d: Editable) => delete d.apis[2].openapi.paths,
        'lgsp.yaml: apis[2].openapi: the document has no paths object',
      ],
      [
        'a Swagger 2.0 document',
        (d: Editable) => (d.apis[2].openapi = { swagger: '2.0', paths: {} }),
        'lgsp.yaml: apis[2].openapi: the document has no openapi field; only OpenAPI 3.0.x is accepted',
      ],
      [
        'an unreadable openapi_file',
        (d: Editable) => (d.apis[1].openapi_file = 'openapi/missing.yaml'),
        'lgsp.yaml: apis[1].openapi_file: cannot read openapi/missing.yaml (no such file)',
      ],
      [
        'a consumer defined twice',
        (d: Editable) => (d.consumers[1].id = d.consumers[0].id),
        'lgsp.yaml: consumers[1].id: tu-ha-noi.qlcb is already defined at consumers[0]',
      ],
      [
        'a client_id used by a credential and an admin',
        (d: Editable) => (d.admins[1].client_id = 'demo-consumer'),
        'lgsp.yaml: admins[1].client_id: demo-consumer is already used at consumers[0].credentials[0]',
      ],
      [
        'a certificate id used twice',
        (d: Editable) => (d.consumers[1].certificates[0].id = 'tu-ha-noi-2026'),
        'lgsp.yaml: consumers[1].certificates[0].id: tu-ha-noi-2026 is already used at consumers[0].certificates[0]',
      ],
      [
        'the same certificate under two ids',
        (d: Editable) => (d.consumers[1].certificates[0] = { id: 'copy', pem_file: 'certs/tu-ha-noi.pem' }),
        'lgsp.yaml: consumers[1].certificates[0]: is the same certificate as consumers[0].certificates[0]',
      ],
      [
        'an API version defined twice',
        (d: Editable) => (d.apis[1].version = 'v1'),
        'lgsp.yaml: apis[1].version: documents v1 is already defined at apis[0]',
      ],
      [
        'a subscription listed twice',
        (d: Editable) => d.consumers[0].subscriptions.push({ api: 'documents', version: 'v1' }),
        'lgsp.yaml: consumers[0].subscriptions[1]: documents v1 is already listed at consumers[0].subscriptions[0]',
      ],
    ])('%s', async (_case, change, expected) => {
      expect(await problemsOf(change)).toEqual([expected]);
    });

    it('takes an API name given on one of its versions, and refuses two different ones', async () => {
      const config = await loadVariant((d) => (d.apis[1].name = 'Văn bản'));
      expect(config.apis[1].name).toBe('Văn bản');

      const problems = await problemsOf((d) => {
        d.apis[0].name = 'Văn bản';
        d.apis[1].name = 'Tài liệu';
      });
      expect(problems).toEqual(['lgsp.yaml: apis[1].name: differs from the name of documents given at apis[0]']);
    });

    it('lists every problem, not only the first', async () => {
      const problems = await problemsOf((d) => {
        d.consumers[0].credentials[0].environment = 'staging';
        d.consumers[1].status = 'sleeping';
        d.apis[0].classification = 'tuyet-mat';
        delete d.apis[1].upstream;
        d.admins[0].extra = true;
      });
      expect(problems).toEqual([
        'lgsp.yaml: consumers[0].credentials[0].environment: must be one of sandbox, production',
        'lgsp.yaml: consumers[1].status: must be one of active, suspended, terminated',
        'lgsp.yaml: admins[0].extra: is not a known property',
        'lgsp.yaml: apis[0].classification: tuyet-mat (Tuyệt mật) data may never cross the platform; use cong-khai, noi-bo, mat or toi-mat',
        'lgsp.yaml: apis[1].upstream: is required (or upstreams)',
      ]);
    });

    it('keeps the problems on the error', async () => {
      const error = await loadVariant((d) => (d.apis[0].version = 'V1')).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({
        name: 'DeclarativeConfigError',
        source: 'lgsp.yaml',
        problems: [{ path: 'apis[0].version', message: 'must match ^v[1-9][0-9]{0,3}$' }],
      });
    });
  });
});
