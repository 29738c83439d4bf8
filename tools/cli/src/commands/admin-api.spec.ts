import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'yaml';

import { type FakeHttpServer, type RecordedRequest, startFakeHttpServer } from '../../test/fake-http-server.util';
import type { CliIo } from '../cli-command.type';
import { runCli } from '../cli';
import { CLI_COMMANDS } from '../cli-commands.constant';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TOKEN = 'eyJ.admin.token';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function lgsp(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  const io: CliIo & Run = { code: -1, out: '', err: '', env, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
  io.code = await runCli(argv, CLI_COMMANDS, io);
  return { code: io.code, out: io.out, err: io.err };
}

interface DocumentedOperation {
  parameters?: { in?: string; name?: string }[];
  requestBody?: { content: { 'application/json': { schema: { $ref: string } } } };
}
const ADMIN_DOCUMENT = parse(readFileSync(join(__dirname, '../../../../openapi/admin.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, DocumentedOperation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
};

/** The admin.yaml operation a request is for: its query parameters and body fields; undefined when there is none. */
function documentedOperation(method: string, url: string): { query: string[]; bodyFields?: string[] } | undefined {
  const path = url.split('?')[0];
  for (const [template, item] of Object.entries(ADMIN_DOCUMENT.paths)) {
    const operation = item[method.toLowerCase()];
    if (operation === undefined || !new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path)) continue;
    const schema = operation.requestBody?.content['application/json'].schema.$ref.split('/').at(-1);
    return {
      query: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => String(p.name)),
      ...(schema !== undefined && { bodyFields: Object.keys(ADMIN_DOCUMENT.components.schemas[schema].properties ?? {}) }),
    };
  }
  return undefined;
}

/** What the listener received, in the shape the assertions compare. */
function sent(request: RecordedRequest) {
  return {
    method: request.method,
    url: request.url,
    authorization: request.headers.authorization,
    contentType: request.headers['content-type'],
    body: request.body === '' ? undefined : JSON.parse(request.body),
  };
}

describe('lgsp admin (the admin API over HTTP)', () => {
  let server: FakeHttpServer;
  let dir: string;
  let files: Record<string, string>;

  beforeAll(async () => {
    server = await startFakeHttpServer();
    dir = await mkdtemp(join(tmpdir(), 'lgsp-cli-admin-'));
    await mkdir(join(dir, 'docs'));
    files = {
      form: join(dir, 'form.yaml'),
      production: join(dir, 'production.json'),
      api: join(dir, 'api.yaml'),
      inlineApi: join(dir, 'inline-api.json'),
      openapi: join(dir, 'docs', 'documents.openapi.yaml'),
      pem: join(dir, 'cert.pem'),
      data: join(dir, 'limits.yaml'),
      both: join(dir, 'both.yaml'),
      list: join(dir, 'list.yaml'),
    };
    await writeFile(
      files.form,
      [
        'organisation: { id: tu-ha-noi, name: Văn phòng Thành uỷ Hà Nội, address: "Số 1 Lê Lai" }',
        'maxClassification: noi-bo',
        'connectionOption: 2',
        'data:',
        '  - { api: documents, version: v1, classification: noi-bo, frequency: daily, method: api, expectedStart: 2026-12-01, purpose: Tra cứu }',
      ].join('\n'),
    );
    await writeFile(files.production, JSON.stringify({ securityAttestation: 'BB-12/2026', commitment: { signer: 'Nguyễn Văn A' } }));
    await writeFile(files.api, 'version: v2\nclassification: noi-bo\nupstreams: { sandbox: "http://10.0.0.1:9100", production: "https://documents.internal" }\nopenapi_file: docs/documents.openapi.yaml\n');
    await writeFile(files.inlineApi, JSON.stringify({ version: 'v1', kind: 'soap', wsdlUrl: 'https://x/wsdl', classification: 'mat', upstreams: { sandbox: 'http://a', production: 'http://b' } }));
    await writeFile(files.openapi, 'openapi: 3.0.3\ninfo: { title: Documents, version: "2" }\npaths: {}\n');
    await writeFile(files.pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    await writeFile(files.data, 'readPerMinute: 2000\nwritePerMinute: 300\nreason: Đồng bộ cuối ngày\n');
    await writeFile(files.both, 'version: v1\nopenapi: {}\nopenapi_file: docs/documents.openapi.yaml\n');
    await writeFile(files.list, '- 1\n- 2\n');
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.answer(() => ({ body: { ok: true } }));
  });

  const connection = (): string[] => ['--url', server.url, '--token', TOKEN];

  it('sends each command as its admin API request, with the token and a fresh X-Request-ID, and prints the JSON answer', async () => {
    const openapi = { openapi: '3.0.3', info: { title: 'Documents', version: '2' }, paths: {} };
    const cases: [string[], { method: string; url: string; body?: unknown }][] = [
      [['admin', 'registrations', 'list'], { method: 'GET', url: '/admin/v1/registrations' }],
      [['admin', 'registrations', 'list', '--status', 'submitted', '--overdue'], { method: 'GET', url: '/admin/v1/registrations?status=submitted&overdue=true' }],
      [['admin', 'registrations', 'show', 'REG-20261120-3FA85F64'], { method: 'GET', url: '/admin/v1/registrations/REG-20261120-3FA85F64' }],
      [
        ['admin', 'registrations', 'submit', files.form],
        {
          method: 'POST',
          url: '/admin/v1/registrations',
          body: {
            organisation: { id: 'tu-ha-noi', name: 'Văn phòng Thành uỷ Hà Nội', address: 'Số 1 Lê Lai' },
            maxClassification: 'noi-bo',
            connectionOption: 2,
            data: [{ api: 'documents', version: 'v1', classification: 'noi-bo', frequency: 'daily', method: 'api', expectedStart: '2026-12-01', purpose: 'Tra cứu' }],
          },
        },
      ],
      [
        ['admin', 'registrations', 'approve', 'REG-1', '--consumer-id', 'tu-ha-noi.qlcb', '--grant-limits', '--note', 'Đồng ý'],
        { method: 'POST', url: '/admin/v1/registrations/REG-1/approve', body: { consumerId: 'tu-ha-noi.qlcb', grantLimits: true, note: 'Đồng ý' } },
      ],
      [['admin', 'registrations', 'approve', 'REG-1', '--consumer-id', 'x', '--organisation', 'tu-hue'], { method: 'POST', url: '/admin/v1/registrations/REG-1/approve', body: { consumerId: 'x', organisation: 'tu-hue' } }],
      [['admin', 'registrations', 'reject', 'REG-1', '--reason', 'Thiếu hồ sơ'], { method: 'POST', url: '/admin/v1/registrations/REG-1/reject', body: { reason: 'Thiếu hồ sơ' } }],
      [['admin', 'registrations', 'sandbox', 'REG-1'], { method: 'POST', url: '/admin/v1/registrations/REG-1/sandbox-credentials' }],
      [['admin', 'registrations', 'sandbox-tests-done', 'REG-1'], { method: 'POST', url: '/admin/v1/registrations/REG-1/sandbox-tests-done' }],
      [
        ['admin', 'registrations', 'production-request', 'REG-1', files.production],
        { method: 'POST', url: '/admin/v1/registrations/REG-1/production-request', body: { securityAttestation: 'BB-12/2026', commitment: { signer: 'Nguyễn Văn A' } } },
      ],
      [['admin', 'registrations', 'production', 'REG-1'], { method: 'POST', url: '/admin/v1/registrations/REG-1/production-credentials' }],
      [['admin', 'consumers', 'list'], { method: 'GET', url: '/admin/v1/consumers' }],
      [['admin', 'consumers', 'show', 'tu-ha-noi.qlcb'], { method: 'GET', url: '/admin/v1/consumers/tu-ha-noi.qlcb' }],
      [['admin', 'consumers', 'suspend', 'c1', '--reason', 'Nghi vấn'], { method: 'POST', url: '/admin/v1/consumers/c1/suspend', body: { reason: 'Nghi vấn' } }],
      [['admin', 'consumers', 'resume', 'c1', '--reason', 'Đã xử lý'], { method: 'POST', url: '/admin/v1/consumers/c1/resume', body: { reason: 'Đã xử lý' } }],
      [['admin', 'consumers', 'terminate', 'c1', '--reason', 'Ngừng'], { method: 'POST', url: '/admin/v1/consumers/c1/terminate', body: { reason: 'Ngừng' } }],
      [['admin', 'consumers', 'subscribe', 'c1', '--api', 'documents', '--version', 'v1'], { method: 'POST', url: '/admin/v1/consumers/c1/subscriptions', body: { api: 'documents', version: 'v1' } }],
      [
        ['admin', 'consumers', 'subscribe', 'c1', '--api', 'documents', '--version', 'v1', '--env', 'sandbox'],
        { method: 'POST', url: '/admin/v1/consumers/c1/subscriptions', body: { api: 'documents', version: 'v1', environments: ['sandbox'] } },
      ],
      [
        ['admin', 'consumers', 'unsubscribe', 'c1', '--api', 'documents', '--version', 'v1', '--env', 'sandbox,production'],
        { method: 'POST', url: '/admin/v1/consumers/c1/subscriptions/remove', body: { api: 'documents', version: 'v1', environments: ['sandbox', 'production'] } },
      ],
      [
        ['admin', 'consumers', 'set-limit', 'c1', '--read', '2000', '--write', '300', '--reason', 'Đồng bộ', '--api', 'documents', '--version', 'v1'],
        { method: 'PUT', url: '/admin/v1/consumers/c1/limits', body: { api: 'documents', version: 'v1', readPerMinute: 2000, writePerMinute: 300, reason: 'Đồng bộ' } },
      ],
      [
        ['admin', 'consumers', 'add-certificate', 'c1', '--key-id', 'tu-ha-noi-2026', '--pem-file', files.pem],
        { method: 'POST', url: '/admin/v1/consumers/c1/certificates', body: { id: 'tu-ha-noi-2026', pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' } },
      ],
      [['admin', 'consumers', 'revoke-certificate', 'c1', 'key/1', '--reason', 'Lộ khoá'], { method: 'DELETE', url: '/admin/v1/consumers/c1/certificates/key%2F1', body: { reason: 'Lộ khoá' } }],
      [['admin', 'consumers', 'notifications', 'c1', '--after', '41'], { method: 'GET', url: '/admin/v1/consumers/c1/notifications?after=41' }],
      [['admin', 'certificates', 'expiring', '--days', '7'], { method: 'GET', url: '/admin/v1/certificates/expiring?days=7' }],
      [['admin', 'apis', 'list'], { method: 'GET', url: '/admin/v1/apis' }],
      [['admin', 'apis', 'show', 'documents', 'v1'], { method: 'GET', url: '/admin/v1/apis/documents/versions/v1' }],
      [
        ['admin', 'apis', 'register', 'documents', files.api],
        {
          method: 'POST',
          url: '/admin/v1/apis/documents/versions',
          body: { version: 'v2', classification: 'noi-bo', upstreams: { sandbox: 'http://10.0.0.1:9100', production: 'https://documents.internal' }, openapi },
        },
      ],
      [
        ['admin', 'apis', 'register', 'land', files.inlineApi],
        { method: 'POST', url: '/admin/v1/apis/land/versions', body: { version: 'v1', kind: 'soap', wsdlUrl: 'https://x/wsdl', classification: 'mat', upstreams: { sandbox: 'http://a', production: 'http://b' } } },
      ],
      [['admin', 'apis', 'update-openapi', 'documents', 'v2', files.openapi], { method: 'PUT', url: '/admin/v1/apis/documents/versions/v2/openapi', body: { openapi } }],
      [['admin', 'apis', 'publish', 'documents', 'v2'], { method: 'POST', url: '/admin/v1/apis/documents/versions/v2/lifecycle', body: { status: 'published' } }],
      [
        ['admin', 'apis', 'deprecate', 'documents', 'v1', '--sunset', '2027-06-30'],
        { method: 'POST', url: '/admin/v1/apis/documents/versions/v1/lifecycle', body: { status: 'deprecated', sunset: '2027-06-30' } },
      ],
      [['admin', 'apis', 'retire', 'documents', 'v1'], { method: 'POST', url: '/admin/v1/apis/documents/versions/v1/lifecycle', body: { status: 'retired' } }],
      [['admin', 'apis', 'delete-draft', 'documents', 'v3'], { method: 'DELETE', url: '/admin/v1/apis/documents/versions/v3' }],
      [['admin', 'blocks', 'list'], { method: 'GET', url: '/admin/v1/blocks' }],
      [['admin', 'blocks', 'list', '--all'], { method: 'GET', url: '/admin/v1/blocks?all=true' }],
      [
        ['admin', 'blocks', 'create', '--scope', 'operation', '--api', 'documents', '--version', 'v1', '--operation', 'GET /documents/{id}', '--reason', 'Bảo trì', '--ends-at', '2026-12-01T23:00:00+07:00'],
        { method: 'POST', url: '/admin/v1/blocks', body: { scope: 'operation', api: 'documents', version: 'v1', operation: 'GET /documents/{id}', reason: 'Bảo trì', endsAt: '2026-12-01T23:00:00+07:00' } },
      ],
      [['admin', 'blocks', 'create', '--scope', 'provider', '--provider', 'bo-cong-an', '--reason', 'Sự cố'], { method: 'POST', url: '/admin/v1/blocks', body: { scope: 'provider', provider: 'bo-cong-an', reason: 'Sự cố' } }],
      [
        ['admin', 'blocks', 'lift', '0190c8a4-5b8e-7d5c-9d51-7c1e2a8b9f00', '--reason', 'Đã khắc phục'],
        { method: 'POST', url: '/admin/v1/blocks/0190c8a4-5b8e-7d5c-9d51-7c1e2a8b9f00/lift', body: { reason: 'Đã khắc phục' } },
      ],
      [['admin', 'audit'], { method: 'GET', url: '/admin/v1/audit' }],
      [
        ['admin', 'audit', '--target-type', 'api-version', '--target-id', 'documents v1', '--before', '900', '--limit', '50'],
        { method: 'GET', url: '/admin/v1/audit?targetType=api-version&targetId=documents+v1&before=900&limit=50' },
      ],
      [['admin', 'export'], { method: 'GET', url: '/admin/v1/declarative-config' }],
      [['admin', 'export', '--format', 'json'], { method: 'GET', url: '/admin/v1/declarative-config?format=json' }],
      [['admin', 'call', 'get', '/admin/v1/consumers?x=1'], { method: 'GET', url: '/admin/v1/consumers?x=1' }],
      [['admin', 'call', 'PUT', '/admin/v1/consumers/c1/limits', '--data', `@${files.data}`], { method: 'PUT', url: '/admin/v1/consumers/c1/limits', body: { readPerMinute: 2000, writePerMinute: 300, reason: 'Đồng bộ cuối ngày' } }],
      [['admin', 'call', 'POST', '/admin/v1/blocks/b1/lift', '--data', '{"reason":"ok"}'], { method: 'POST', url: '/admin/v1/blocks/b1/lift', body: { reason: 'ok' } }],
    ];
    for (const [argv, expected] of cases) {
      server.requests.length = 0;
      const result = await lgsp([...argv, ...connection()]);
      expect({ argv, ...result }).toEqual({ argv, code: 0, out: '{\n  "ok": true\n}\n', err: '' });
      expect(server.requests.map(sent)).toEqual([
        { method: expected.method, url: expected.url, authorization: `Bearer ${TOKEN}`, contentType: expected.body === undefined ? undefined : 'application/json', body: expected.body },
      ]);
      expect(server.requests[0].headers['x-request-id']).toMatch(UUID_V4);
      // The request is one openapi/admin.yaml documents (which a registry spec holds to the controllers).
      const operation = documentedOperation(expected.method, expected.url);
      expect({ argv, documented: operation !== undefined }).toEqual({ argv, documented: true });
      if (argv[1] !== 'call') {
        const queryNames = [...new URLSearchParams(expected.url.split('?')[1] ?? '').keys()];
        const bodyNames = expected.body === undefined ? [] : Object.keys(expected.body as object);
        expect({ argv, undocumented: [...queryNames.filter((name) => !operation!.query.includes(name)), ...bodyNames.filter((name) => !operation!.bodyFields?.includes(name))] }).toEqual({
          argv,
          undocumented: [],
        });
      }
      expect(server.requests[0].headers.accept).toBe('application/json, application/problem+json');
    }
    // Every admin API command of the table was exercised.
    const tried = new Set(cases.map(([argv]) => argv.slice(0, ['audit', 'call', 'export'].includes(argv[1]) ? 2 : 3).join(' ')));
    const httpCommands = CLI_COMMANDS.map((c) => c.path.join(' ')).filter((path) => path.startsWith('admin ') && path !== 'admin bootstrap' && path !== 'admin token');
    expect(httpCommands.filter((path) => !tried.has(path))).toEqual([]);
  });

  it('sends the follow-up secret header, and no Authorization at all without a token', async () => {
    expect((await lgsp(['admin', 'registrations', 'show', 'REG-1', '--follow-up-secret', 'fu-secret', '--url', server.url])).code).toBe(0);
    expect(server.requests[0].headers['x-follow-up-secret']).toBe('fu-secret');
    expect(server.requests[0].headers.authorization).toBeUndefined();
    expect((await lgsp(['admin', 'registrations', 'submit', files.form, '--url', server.url])).code).toBe(0);
    expect(server.requests[1].headers.authorization).toBeUndefined();
  });

  it('obtains a token with client credentials (client_secret_basic, form-encoded first) and uses it', async () => {
    server.answer((request) => (request.url === '/oauth2/token' ? { body: { access_token: 'from-credentials', token_type: 'Bearer', expires_in: 3600 } } : { body: [] }));
    const result = await lgsp(['admin', 'consumers', 'list', '--url', server.url, '--client-id', 'dgo-admin', '--client-secret', 's3cr:et /+', '--token-url', `${server.url}/oauth2/token`]);
    expect(result).toEqual({ code: 0, out: '[]\n', err: '' });
    expect(server.requests.map((r) => [r.method, r.url, r.headers.authorization, r.headers['content-type'], r.body])).toEqual([
      ['POST', '/oauth2/token', `Basic ${Buffer.from('dgo-admin:s3cr%3Aet+%2F%2B').toString('base64')}`, 'application/x-www-form-urlencoded', 'grant_type=client_credentials'],
      ['GET', '/admin/v1/consumers', 'Bearer from-credentials', undefined, ''],
    ]);
  });

  it('reads the connection from the environment: LGSP_ADMIN_URL, LGSP_ADMIN_TOKEN, then the admin client and LGSP_PUBLIC_URL', async () => {
    expect((await lgsp(['admin', 'apis', 'list'], { LGSP_ADMIN_URL: `${server.url}/`, LGSP_ADMIN_TOKEN: 'env-token' })).code).toBe(0);
    expect(server.requests.map((r) => [r.url, r.headers.authorization])).toEqual([['/admin/v1/apis', 'Bearer env-token']]);

    // --token wins over the environment.
    server.requests.length = 0;
    expect((await lgsp(['admin', 'apis', 'list', '--token', 'flag-token'], { LGSP_ADMIN_URL: server.url, LGSP_ADMIN_TOKEN: 'env-token' })).code).toBe(0);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer flag-token']);

    server.requests.length = 0;
    server.answer((request) => (request.url === '/oauth2/token' ? { body: { access_token: 'env-client-token' } } : { body: { ok: true } }));
    const env = { LGSP_ADMIN_URL: server.url, LGSP_PUBLIC_URL: server.url, LGSP_ADMIN_CLIENT_ID: 'dgo', LGSP_ADMIN_CLIENT_SECRET: 'pw' };
    expect((await lgsp(['admin', 'apis', 'list'], env)).code).toBe(0);
    expect(server.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/oauth2/token', `Basic ${Buffer.from('dgo:pw').toString('base64')}`],
      ['/admin/v1/apis', 'Bearer env-client-token'],
    ]);
  });

  it('prints a token alone with admin token, and says why the token endpoint refused', async () => {
    server.answer(() => ({ body: { access_token: 'printed-token' } }));
    const env = { LGSP_TOKEN_URL: `${server.url}/oauth2/token`, LGSP_ADMIN_CLIENT_ID: 'dgo', LGSP_ADMIN_CLIENT_SECRET: 'pw' };
    expect(await lgsp(['admin', 'token'], env)).toEqual({ code: 0, out: 'printed-token\n', err: '' });

    server.requests.length = 0;
    server.answer(() => ({ status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } }));
    expect(await lgsp(['admin', 'consumers', 'list', '--url', server.url], env)).toEqual({
      code: 1,
      out: '',
      err: `lgsp admin consumers list: the token endpoint ${server.url}/oauth2/token refused: 401 invalid_client: Client authentication failed\n`,
    });
    expect(server.requests.map((r) => r.url)).toEqual(['/oauth2/token']);

    const none = await lgsp(['admin', 'token'], {});
    expect(none.code).toBe(2);
    expect(none.err).toContain('needs an admin client');
  });

  it('prints a problem as status, code and detail, with its rule, earliest date and errors, on stderr, and exits 1', async () => {
    server.answer(() => ({
      status: 422,
      headers: { 'content-type': 'application/problem+json' },
      body: {
        type: 'urn:lgsp:problem:unprocessable',
        title: 'The request is well-formed but the rules refuse it',
        status: 422,
        code: 'unprocessable',
        detail: 'The registration breaks 2 rules: No published API land v1; Mật and Tối mật data are only exchanged over the Party wide-area network',
        rule: 'api-unknown',
        errors: [
          { location: '/data/0/api', message: 'No published API land v1', rule: 'api-unknown' },
          { location: '/connectionOption', message: 'Mật and Tối mật data are only exchanged over the Party wide-area network', rule: 'classified-needs-party-wan' },
        ],
      },
    }));
    expect(await lgsp(['admin', 'registrations', 'submit', files.form, '--url', server.url])).toEqual({
      code: 1,
      out: '',
      err: [
        '422 unprocessable: The registration breaks 2 rules: No published API land v1; Mật and Tối mật data are only exchanged over the Party wide-area network',
        '  rule: api-unknown',
        '  - /data/0/api: No published API land v1 [api-unknown]',
        '  - /connectionOption: Mật and Tối mật data are only exchanged over the Party wide-area network [classified-needs-party-wan]',
        '',
      ].join('\n'),
    });

    server.answer(() => ({
      status: 422,
      headers: { 'content-type': 'application/problem+json' },
      body: { status: 422, code: 'unprocessable', title: 'x', detail: 'Retirement must be announced at least 60 days ahead: the earliest sunset is 2027-01-19.', rule: 'sunset-notice-60-days', earliest: '2027-01-19' },
    }));
    expect((await lgsp(['admin', 'apis', 'deprecate', 'documents', 'v1', '--sunset', '2026-12-01', ...connection()])).err).toBe(
      '422 unprocessable: Retirement must be announced at least 60 days ahead: the earliest sunset is 2027-01-19.\n  rule: sunset-notice-60-days (earliest 2027-01-19)\n',
    );

    server.answer(() => ({ status: 429, headers: { 'content-type': 'application/problem+json', 'retry-after': '1800' }, body: { status: 429, code: 'rate_limited', title: 'Rate limit exceeded', detail: 'At most 10 registrations per hour' } }));
    expect(await lgsp(['admin', 'registrations', 'submit', files.form, '--url', server.url])).toEqual({ code: 1, out: '', err: '429 rate_limited: At most 10 registrations per hour\n  retry after: 1800 s\n' });

    server.answer(() => ({
      status: 400,
      headers: { 'content-type': 'application/problem+json' },
      body: { status: 400, code: 'validation_failed', title: 'x', detail: 'The request has invalid fields', errors: [{ location: 'consumerId', message: 'consumerId must match /^[a-z0-9][a-z0-9._-]{0,127}$/ regular expression' }] },
    }));
    expect((await lgsp(['admin', 'registrations', 'approve', 'REG-1', '--consumer-id', 'Bad Id', ...connection()])).err).toBe(
      '400 validation_failed: The request has invalid fields\n  - consumerId: consumerId must match /^[a-z0-9][a-z0-9._-]{0,127}$/ regular expression\n',
    );

    server.answer(() => ({ status: 500, headers: { 'content-type': 'application/problem+json' }, body: { status: 500, code: 'internal_error', title: 'Internal error', errorId: 'e-1' } }));
    expect((await lgsp(['admin', 'audit', ...connection()])).err).toBe('500 internal_error: Internal error\n  error id: e-1\n');
  });

  it('prints nothing on 204, text as it comes, and the status of an answer that is not a problem', async () => {
    server.answer(() => ({ status: 204 }));
    expect(await lgsp(['admin', 'apis', 'delete-draft', 'documents', 'v3', ...connection()])).toEqual({ code: 0, out: '', err: '' });
    server.answer(() => ({ headers: { 'content-type': 'text/plain' }, body: 'http_requests_total 3' }));
    expect(await lgsp(['admin', 'call', 'GET', '/metrics', ...connection()])).toEqual({ code: 0, out: 'http_requests_total 3\n', err: '' });
    server.answer(() => ({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>bad gateway</html>' }));
    expect(await lgsp(['admin', 'apis', 'list', ...connection()])).toEqual({ code: 1, out: '', err: '502 Bad Gateway: <html>bad gateway</html>\n' });
  });

  it('prints the exported declarative file as it comes, and what it left out on stderr', async () => {
    const file = '# LGSP declarative configuration, exported from the registry (LGSP_DECLARATIVE_CONFIG).\nformat_version: "1"\nconsumers: []\n';
    server.answer(() => ({ headers: { 'content-type': 'application/yaml', 'x-lgsp-skipped': '"admin hue-staff: its organisation, not in the format"' }, body: file }));
    expect(await lgsp(['admin', 'export', ...connection()])).toEqual({ code: 0, out: file, err: 'x-lgsp-skipped: "admin hue-staff: its organisation, not in the format"\n' });
  });

  it('exits 2 on a wrong command line, before anything is sent', async () => {
    const wrong: [string[], string][] = [
      [['admin', 'registrations', 'reject', 'REG-1'], '--reason is required'],
      [['admin', 'registrations', 'approve', 'REG-1'], '--consumer-id is required'],
      [['admin', 'registrations', 'show'], 'missing <reference>'],
      [['admin', 'consumers', 'show', 'a', 'b'], "unexpected argument 'b'"],
      [['admin', 'consumers', 'list', 'extra'], "Unexpected argument 'extra'"],
      [['admin', 'consumers', 'set-limit', 'c1', '--read', 'many', '--write', '1', '--reason', 'x'], "--read must be an integer, not 'many'"],
      [['admin', 'consumers', 'subscribe', 'c1', '--api', 'a', '--version', 'v1', '--env', 'staging'], "--env takes sandbox, production or both comma-separated, not 'staging'"],
      [['admin', 'apis', 'deprecate', 'documents', 'v1'], '--sunset is required'],
      [['admin', 'call', 'FETCH', '/x'], "<METHOD> must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, not 'FETCH'"],
      [['admin', 'call', 'GET', 'admin/v1/apis'], "<path> starts with '/'"],
      [['admin', 'call', 'POST', '/x', '--data', '{nope'], '--data must be JSON or @file'],
      [['admin', 'apis', 'list', '--url', 'ftp://host'], "--url must be an http or https URL, not 'ftp://host'"],
      [['admin', 'apis', 'list', '--client-id', 'dgo'], '--client-id needs its secret'],
      [['admin', 'apis', 'list', '--nope'], "Unknown option '--nope'"],
      [['admin', 'export', '--format', 'xml'], "--format is yaml or json, not 'xml'"],
    ];
    for (const [argv, message] of wrong) {
      const result = await lgsp([...argv, ...(argv.includes('--url') ? [] : ['--url', server.url])]);
      expect({ argv, code: result.code, out: result.out }).toEqual({ argv, code: 2, out: '' });
      expect({ argv, err: result.err }).toEqual({ argv, err: expect.stringContaining(message) });
    }
    expect(server.requests).toEqual([]);
  });

  it('exits 1 on an unreadable or unusable file and on an unreachable listener', async () => {
    const missing = await lgsp(['admin', 'registrations', 'submit', join(dir, 'nowhere.yaml'), ...connection()]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`lgsp admin registrations submit: cannot read ${join(dir, 'nowhere.yaml')}`);
    const both = await lgsp(['admin', 'apis', 'register', 'documents', files.both, ...connection()]);
    expect(both).toEqual({ code: 1, out: '', err: `lgsp admin apis register: ${files.both}: give the document once, as openapi or as openapi_file\n` });
    expect((await lgsp(['admin', 'registrations', 'submit', files.list, ...connection()])).err).toContain('must hold an object');
    expect(server.requests).toEqual([]);

    const closed = await startFakeHttpServer();
    await closed.close();
    const unreachable = await lgsp(['admin', 'consumers', 'list', '--url', closed.url, '--token', TOKEN]);
    expect(unreachable).toEqual({ code: 1, out: '', err: `lgsp admin consumers list: cannot reach the admin listener at ${closed.url}/admin/v1/consumers: ECONNREFUSED\n` });
  });
});
