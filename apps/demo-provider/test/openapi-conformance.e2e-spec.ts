import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { DemoProvider } from '@lgsp/demo-provider-core';
import { DEMO_PROVIDER_API, SEED_DOCUMENTS, startDemoProvider } from '@lgsp/demo-provider-core';
import { createLogger } from '@lgsp/observability';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { validate } from '@readme/openapi-parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { request } from 'undici';
import { parse } from 'yaml';

const DOCUMENT_PATH = join(__dirname, '..', '..', '..', DEMO_PROVIDER_API.openapiDocument);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** Served by every LGSP listener, described by the platform rather than by this provider. */
const PLATFORM_ROUTES = new Set(['GET /metrics', 'HEAD /metrics']);

interface Operation {
  operationId?: string;
  'x-lgsp-classification'?: string;
  requestBody?: { required?: boolean; content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, unknown>;
}
type OpenApi = {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { schemas: Record<string, { required?: string[]; properties: Record<string, unknown>; additionalProperties?: boolean }> };
};

function loadDocument(): OpenApi {
  return parse(readFileSync(DOCUMENT_PATH, 'utf8')) as OpenApi;
}

function operationsOf(document: OpenApi): { key: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((m) => ({ key: `${m.toUpperCase()} ${path}`, operation: item[m] as Operation })),
  );
}

/**
 * Fastify's printRoutes({ commonPrefix: false }) draws a tree: four columns per level, each node
 * a path segment relative to its parent with its methods, e.g. `│   └── /:documentId (GET, PUT)`.
 */
function routesOf(tree: string): string[] {
  const parents: string[] = [];
  return tree
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      const match = /^(.*?)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
      if (match === null) throw new Error(`unexpected route line: ${line}`);
      const depth = match[1].length / 4;
      const path = (parents[depth - 1] ?? '') + match[2];
      parents[depth] = path;
      parents.length = depth + 1;
      const openApiPath = path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      return (match[3] ?? '').split(',').filter(Boolean).map((method) => `${method.trim()} ${openApiPath}`);
    });
}

describe('openapi/demo-provider.yaml', () => {
  it('is a valid OpenAPI 3.0 document', async () => {
    const result = await validate(loadDocument() as never);
    expect(result).toMatchObject({ valid: true, warnings: [] });
  });

  it('is checked by a validator that does refuse a broken document', async () => {
    const broken = loadDocument();
    (broken.paths['/documents'].get as unknown as Record<string, unknown>).responses = 'none';
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it('names every operation uniquely and marks its classification', () => {
    const operations = operationsOf(loadDocument());
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && id !== '')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { operation } of operations) expect(operation['x-lgsp-classification']).toBe('noi-bo');
  });

  it('requires its request bodies and refuses unknown fields in them', () => {
    const document = loadDocument();
    const bodies = operationsOf(document).flatMap(({ operation }) => (operation.requestBody ? [operation.requestBody] : []));
    expect(bodies).toHaveLength(3);
    for (const body of bodies) {
      expect(body.required).toBe(true);
      for (const { schema } of Object.values(body.content)) {
        const name = schema.$ref.replace('#/components/schemas/', '');
        expect(document.components.schemas[name].additionalProperties).toBe(false);
      }
    }
  });

  it('describes 400, 404, 412 and 422 problems where the service answers them', () => {
    const responses = (key: string): string[] => Object.keys(operationsOf(loadDocument()).find((o) => o.key === key)?.operation.responses ?? {});
    expect(responses('GET /documents/{documentId}')).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect(responses('POST /documents')).toEqual(expect.arrayContaining(['201', '400', '415', '422']));
    for (const key of ['PUT /documents/{documentId}', 'PATCH /documents/{documentId}']) {
      expect(responses(key)).toEqual(expect.arrayContaining(['200', '400', '404', '412', '415', '422']));
    }
    expect(responses('DELETE /documents/{documentId}')).toEqual(expect.arrayContaining(['204', '404', '412']));
  });
});

describe('the running demo provider against its OpenAPI document', () => {
  let provider: DemoProvider;
  const document = loadDocument();
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'demo-provider');

  async function fetchJson(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Record<string, unknown>; body: unknown }> {
    const response = await request(`${provider.url}${path}`, {
      method: method as 'GET',
      headers: { 'x-request-id': randomUUID(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
  }

  function expectConforms(schema: string, value: unknown): void {
    const check = ajv.getSchema(`demo-provider#/components/schemas/${schema}`);
    if (check === undefined) throw new Error(`no schema ${schema}`);
    expect({ schema, valid: check(value), errors: check.errors ?? null }).toEqual({ schema, valid: true, errors: null });
  }

  beforeAll(async () => {
    provider = await startDemoProvider({ port: 0, logger: createLogger({ service: 'demo-provider', level: 'silent' }) });
  });

  afterAll(async () => {
    await provider.close();
  });

  it('serves exactly the routes the document describes (HEAD comes with GET)', () => {
    const fastify = provider.app.getHttpAdapter().getInstance();
    const served = routesOf(fastify.printRoutes({ commonPrefix: false })).filter((route) => !PLATFORM_ROUTES.has(route));
    for (const route of served) {
      const [method, path] = route.split(' ');
      expect(fastify.hasRoute({ method: method as 'GET', url: path.replace(/\{([^}]+)\}/g, ':$1') })).toBe(true);
    }
    const heads = served.filter((r) => r.startsWith('HEAD '));
    expect(heads.every((head) => served.includes(head.replace(/^HEAD/, 'GET')))).toBe(true);

    const described = operationsOf(document).map(({ key }) => key);
    expect(served.filter((r) => !r.startsWith('HEAD ')).sort()).toEqual([...described].sort());
  });

  it('declares the same operation ids and fields in code as in the document', () => {
    const generated = SwaggerModule.createDocument(provider.app, new DocumentBuilder().build()) as unknown as OpenApi;
    const ids = (d: OpenApi): Record<string, string | undefined> =>
      Object.fromEntries(operationsOf(d).map(({ key, operation }) => [key, operation.operationId]));
    expect(ids(generated)).toEqual(ids(document));

    const shapes: Record<string, string> = {
      OrganisationDto: 'Organisation',
      DocumentDto: 'Document',
      DocumentInputDto: 'DocumentInput',
      DocumentPatchDto: 'DocumentPatch',
    };
    for (const [dto, name] of Object.entries(shapes)) {
      const code = generated.components.schemas[dto];
      const described = document.components.schemas[name];
      expect({ name, properties: Object.keys(code.properties).sort(), required: [...(code.required ?? [])].sort() }).toEqual({
        name,
        properties: Object.keys(described.properties).sort(),
        required: [...(described.required ?? [])].sort(),
      });
    }
  });

  it('answers bodies that match the described schemas', async () => {
    const organisations = await fetchJson('GET', '/organisations');
    expectConforms('OrganisationPage', organisations.body);
    expectConforms('Organisation', (await fetchJson('GET', '/organisations/thanh-uy-ha-noi')).body);

    const documents = await fetchJson('GET', '/documents?pageSize=100');
    expect((documents.body as { total: number }).total).toBe(SEED_DOCUMENTS.length);
    expectConforms('DocumentPage', documents.body);

    const input = {
      organisationId: 'dang-uy-chinh-phu',
      number: '77-KL/ĐU',
      title: 'Kết luận về công tác chuẩn bị đại hội',
      type: 'ket-luan',
      issuedAt: '2025-11-20',
      signer: 'Trịnh Quốc Bảo',
      classification: 'cong-khai',
      recipients: ['Các đảng ủy trực thuộc'],
    };
    expectConforms('DocumentInput', input);
    const created = await fetchJson('POST', '/documents', input);
    expect(created.status).toBe(201);
    expectConforms('Document', created.body);
    expect(created.headers.etag).toMatch(/^"[1-9][0-9]*"$/);

    const id = (created.body as { id: string }).id;
    const patch = { effectiveFrom: '2025-12-01', recipients: null };
    expectConforms('DocumentPatch', patch);
    const patched = await fetchJson('PATCH', `/documents/${id}`, patch);
    expect(patched.status).toBe(200);
    expectConforms('Document', patched.body);
  });

  it('answers problems that match the Problem schema', async () => {
    const problems = [
      await fetchJson('GET', '/documents?pageSize=0'),
      await fetchJson('GET', '/documents/not-a-uuid'),
      await fetchJson('GET', `/documents/${randomUUID()}`),
      await fetchJson('POST', '/documents', { organisationId: 'khong-co' }),
      await fetchJson('GET', '/no-such-path'),
    ];
    expect(problems.map((p) => p.status)).toEqual([400, 400, 404, 400, 404]);
    for (const problem of problems) expectConforms('Problem', problem.body);
  });
});
