import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { configFrom } from '@lgsp/config';
import type { TransactionRecord } from '@lgsp/contracts';
import { InProcessChangeChannel } from '@lgsp/data';
import { createHttpApp } from '@lgsp/http';
import { SegmentFileSink, readSegments } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';
import type { SpyUpstream } from '@lgsp/testing';
import { startSpyUpstream } from '@lgsp/testing';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { request } from 'undici';

import { GatewayModule } from '../src/lib/gateway.module';
import { createThrottleRuntime } from '../src/lib/policies/throttle';
import type { RegistrySource, RegistryView } from '../src/lib/registry/registry-state.service';
import type { RoutableApiVersion } from '../src/lib/routing/route-table';
import { TestTokenMinter, testSigningKey } from './test-tokens.util';

const CONSUMER = 'tu-ha-noi.qlcb';
const MAX_BODY_BYTES = 4096;
const ok = { responses: { '200': { description: 'ok' } } };

/** The provider's document: its own parameters, a JSON body behind $refs, a body-less DELETE, a media range. */
const PERSONS_OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'Persons', version: '1.0.0' },
  paths: {
    '/persons': {
      get: {
        ...ok,
        parameters: [
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'status', in: 'query', schema: { type: 'array', items: { type: 'string', enum: ['active', 'retired'] } } },
          { name: 'X-Unit', in: 'header', required: true, schema: { type: 'string', pattern: '^[a-z.-]+$' } },
        ],
      },
      post: { ...ok, requestBody: { $ref: '#/components/requestBodies/Person' } },
    },
    '/persons/{personId}': {
      parameters: [{ name: 'personId', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
      get: ok,
      delete: ok,
    },
    '/persons/{personId}/photo': {
      put: {
        ...ok,
        parameters: [{ name: 'personId', in: 'path', required: true, schema: { type: 'integer' } }],
        requestBody: { required: true, content: { 'image/*': {} } },
      },
    },
  },
  components: {
    requestBodies: {
      Person: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Person' } } } },
    },
    schemas: {
      Person: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'birthDate'],
        properties: {
          name: { type: 'string', minLength: 1 },
          birthDate: { type: 'string', format: 'date' },
          nickname: { type: 'string', nullable: true },
          addresses: { type: 'array', items: { $ref: '#/components/schemas/Address' } },
        },
      },
      Address: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
    },
  },
};

/** A document one of whose schemas cannot be compiled: that operation is served unvalidated. */
const FAULTY_OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'Faulty', version: '1.0.0' },
  paths: {
    '/records': { post: { ...ok, requestBody: { content: { 'application/json': { schema: { $ref: 'https://schemas.example/record.json' } } } } } },
    '/notes': { post: { ...ok, requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['text'] } } } } } },
  },
};

function version(domain: string, upstream: string, extra: Partial<RoutableApiVersion>): RoutableApiVersion {
  return {
    id: randomUUID(),
    domain,
    version: 'v1',
    kind: 'rest',
    status: 'published',
    classification: 'noi-bo',
    upstreams: { sandbox: upstream, production: upstream },
    openapi: null,
    ...extra,
  };
}

class ListRegistry implements RegistrySource {
  private listener?: () => void;
  constructor(private versions: RoutableApiVersion[]) {}
  async load(): Promise<RegistryView> {
    return {
      apiVersions: this.versions,
      rateLimits: [],
      consumers: [{ id: CONSUMER, status: 'active' }],
      subscriptions: this.versions.flatMap((v) => (['sandbox', 'production'] as const).map((environment) => ({ consumerId: CONSUMER, apiVersionId: v.id, environment }))),
      blocks: [],
    };
  }
  onChange(listener: () => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  changed(): void {
    this.listener?.();
  }
}

/**
 * The validate phase through a real gateway on an ephemeral port, in front of a provider that
 * records what it receives: whatever the gateway refuses never reaches it, and what it lets
 * through arrives byte for byte as the consumer sent it.
 */
describe('request validation through the gateway', () => {
  let upstream: SpyUpstream;
  let app: NestFastifyApplication;
  let base: string;
  let dir: string;
  let sink: SegmentFileSink;
  let changes: InProcessChangeChannel;
  let registry: ListRegistry;
  let token: string;
  const lines: string[] = [];

  beforeAll(async () => {
    upstream = await startSpyUpstream();
    dir = await mkdtemp(join(tmpdir(), 'lgsp-validate-'));
    const config = configFrom({ LGSP_PORT: '0', LGSP_DATA_DIR: dir, LGSP_MAX_BODY_BYTES: String(MAX_BODY_BYTES), LGSP_REQUIRE_SIGNED_WRITES: 'false' });
    const logger = createLogger({ service: 'lgsp-gateway', level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    sink = await SegmentFileSink.open({ dir: join(dir, 'outbox'), flushIntervalMs: 10_000, segmentBytes: 1 << 20 });
    const key = await testSigningKey();
    token = await new TestTokenMinter(config.publicUrl).mint(key);
    changes = new InProcessChangeChannel();
    registry = new ListRegistry([
      version('persons', upstream.url, { openapi: PERSONS_OPENAPI }),
      version('faulty', upstream.url, { openapi: FAULTY_OPENAPI }),
      version('land', upstream.url, { kind: 'soap', soapReadActions: [] }),
    ]);
    @Module({
      imports: [
        GatewayModule.forRoot({
          config,
          logger,
          registry,
          changes,
          jwks: { load: async () => ({ keys: [key.publicJwk] }) },
          revocations: { loadActive: async () => [] },
          sink,
          throttle: createThrottleRuntime(config.throttling),
          tracingEnabled: false,
        }),
      ],
    })
    class ValidateGatewayModule {}
    ({ app } = await createHttpApp(ValidateGatewayModule, { service: 'lgsp-gateway', logger, bodyLimit: config.maxBodyBytes }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    await changes.close();
    await sink.close();
    await upstream.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer | Readable } = {}) {
    const requestId = randomUUID();
    const res = await request(base + path, {
      method: (init.method ?? 'GET') as 'GET',
      headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId, ...init.headers },
      body: init.body,
    });
    const text = await res.body.text();
    return { requestId, status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
  }

  async function record(transactionId: unknown): Promise<TransactionRecord | undefined> {
    await sink.flush();
    return (await readSegments(join(dir, 'outbox'))).records.find((r) => r.transactionId === transactionId);
  }

  const json = { 'content-type': 'application/json' };

  it('forwards a valid JSON body byte for byte: the validator parses a copy, never what the provider gets', async () => {
    // Odd spacing, key order, escapes and a trailing newline: any re-serialisation would show.
    const body = Buffer.from('{ "birthDate":"1970-01-02",  "name" : "Tr\\u1ea7n Minh \u0110\u1ee9c", "nickname": null,\n "addresses":[{"city":"H\u00e0 N\u1ed9i"}] }\n');
    const before = upstream.seen.length;
    const res = await call('/v1/persons/persons', { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body });
    expect(res.status).toBe(200);
    expect(upstream.seen.length).toBe(before + 1);
    const seen = upstream.seen.at(-1)!;
    expect(seen.body.equals(body)).toBe(true);
    expect(seen.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(seen.headers['content-length']).toBe(String(body.length));
  });

  it('forwards the query and path of a valid read exactly as sent, coercion notwithstanding', async () => {
    const res = await call('/v1/persons/persons?page=02&status=active&status=retired&other=%ZZ', { headers: { 'x-unit': 'so-tu-phap.hn' } });
    expect(res.status).toBe(200);
    expect(upstream.seen.at(-1)!.url).toBe('/persons?page=02&status=active&status=retired&other=%ZZ');
    expect((await call('/v1/persons/persons/7')).status).toBe(200);
  });

  it.each([
    ['a path parameter', '/v1/persons/persons/0', {}, [{ location: 'path.personId', message: 'must be >= 1' }]],
    ['a path parameter of the wrong type', '/v1/persons/persons/abc', {}, [{ location: 'path.personId', message: 'must be integer' }]],
    [
      'query parameters',
      '/v1/persons/persons?page=x&status=active&status=gone',
      { 'x-unit': 'hn' },
      [
        { location: 'query.page', message: 'must be integer' },
        { location: 'query.status/1', message: 'must be one of "active", "retired"' },
      ],
    ],
    ['a missing required header', '/v1/persons/persons', {}, [{ location: 'header.x-unit', message: 'is required' }]],
    ['a header of the wrong form', '/v1/persons/persons', { 'X-Unit': 'So Tu Phap' }, [{ location: 'header.x-unit', message: 'must match pattern "^[a-z.-]+$"' }]],
  ])('refuses %s with 400 validation_failed, located, without reaching the provider', async (_name, path, headers, errors) => {
    const before = upstream.seen.length;
    const res = await call(path, { headers });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toEqual({
      type: 'urn:lgsp:problem:validation_failed',
      title: 'The request does not match the API description',
      status: 400,
      code: 'validation_failed',
      detail: expect.stringMatching(/^The request does not match GET \/persons(\/\{personId\})? as the provider's OpenAPI document describes it$/),
      errors,
      requestId: res.requestId,
      transactionId: res.headers['x-lgsp-transaction-id'],
    });
    expect(upstream.seen.length).toBe(before);
    expect(await record(res.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 400, errorCode: 'validation_failed', requestId: res.requestId });
  });

  it('refuses a body that breaks its schema, each violation located by JSON pointer', async () => {
    const before = upstream.seen.length;
    const res = await call('/v1/persons/persons', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: '', birthDate: '1970-02-30', addresses: [{ city: 'Huế' }, { town: 'x' }], ssn: '0' }),
    });
    expect(res.status).toBe(400);
    expect(res.json().errors).toEqual([
      { location: 'body/ssn', message: 'is not allowed' },
      { location: 'body/name', message: 'must NOT have fewer than 1 characters' },
      { location: 'body/birthDate', message: 'must match format "date"' },
      { location: 'body/addresses/1/city', message: 'is required' },
    ]);
    expect(upstream.seen.length).toBe(before);
  });

  it.each([
    ['malformed JSON', json, '{"name": "Lan", '],
    ['bytes that are not UTF-8', json, Buffer.from([0x7b, 0x22, 0x6e, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
  ])('answers %s with 400 at location body, never forwarded', async (_name, headers, body) => {
    const before = upstream.seen.length;
    const res = await call('/v1/persons/persons', { method: 'POST', headers, body });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ location: 'body', message: 'is not valid JSON (UTF-8)' }] });
    expect(upstream.seen.length).toBe(before);
  });

  it('requires the body that requestBody.required asks for', async () => {
    const res = await call('/v1/persons/persons', { method: 'POST', headers: json });
    expect(res.status).toBe(400);
    expect(res.json().errors).toEqual([{ location: 'body', message: 'is required' }]);
  });

  it('answers 415 unsupported_media_type naming the accepted types, never forwarded', async () => {
    const before = upstream.seen.length;
    const valid = JSON.stringify({ name: 'Lan', birthDate: '1990-05-01' });
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json']) {
      const res = await call('/v1/persons/persons', { method: 'POST', headers: { 'content-type': contentType }, body: valid });
      expect(res.status).toBe(415);
      expect(res.json()).toMatchObject({
        code: 'unsupported_media_type',
        detail: 'POST /persons accepts a request body of type application/json only',
        requestId: res.requestId,
      });
    }
    const photo = await call('/v1/persons/persons/7/photo', { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: '%PDF-1.7' });
    expect(photo.status).toBe(415);
    expect(photo.json()).toMatchObject({ detail: 'PUT /persons/{personId}/photo accepts a request body of type image/* only' });
    expect(upstream.seen.length).toBe(before);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect((await call('/v1/persons/persons/7/photo', { method: 'PUT', headers: { 'content-type': 'image/png' }, body: png })).status).toBe(200);
    expect(upstream.seen.at(-1)!.body.equals(png)).toBe(true);
  });

  it('answers 415 to a body sent to an operation that takes none, and serves it without one', async () => {
    const before = upstream.seen.length;
    const res = await call('/v1/persons/persons/7', { method: 'DELETE', headers: json, body: '{}' });
    expect(res.status).toBe(415);
    expect(res.json()).toMatchObject({ code: 'unsupported_media_type', detail: 'DELETE /persons/{personId} takes no request body' });
    expect(upstream.seen.length).toBe(before);
    expect((await call('/v1/persons/persons/7', { method: 'DELETE' })).status).toBe(200);
  });

  it('answers 413 past the body limit while reading, whether the length is declared or not, before validation and the provider', async () => {
    const before = upstream.seen.length;
    const large = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES), birthDate: '1990-05-01' });
    const declared = await call('/v1/persons/persons', { method: 'POST', headers: json, body: large });
    expect(declared.status).toBe(413);
    expect(declared.json()).toMatchObject({ code: 'payload_too_large' });
    const chunked = await call('/v1/persons/persons', { method: 'POST', headers: json, body: Readable.from([large.slice(0, 3000), large.slice(3000)]) });
    expect(chunked.status).toBe(413);
    expect(chunked.json()).toMatchObject({ code: 'payload_too_large' });
    expect(upstream.seen.length).toBe(before);
    expect(await record(chunked.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 413, errorCode: 'payload_too_large' });
  });

  it('passes SOAP calls through unvalidated', async () => {
    // No OpenAPI operation describes it: a REST operation would have answered this body 415.
    const envelope = '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetParcel><id>7</id></GetParcel></soap:Body></soap:Envelope>';
    const res = await call('/v1/land/LandService', { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:GetParcel"' }, body: envelope });
    expect(res.status).toBe(200);
    expect(upstream.seen.at(-1)!.body.toString()).toBe(envelope);
  });

  it('serves an operation it could not compile unvalidated, says so once per reload, and still checks the others', async () => {
    const problem = (line: string) => line.includes('registry-operations-skipped') && line.includes('POST /records: served without request validation');
    expect(lines.filter(problem)).toHaveLength(1);
    expect((await call('/v1/faulty/records', { method: 'POST', headers: json, body: '{"anything":1}' })).status).toBe(200);
    expect((await call('/v1/faulty/notes', { method: 'POST', headers: json, body: '{}' })).status).toBe(400);

    registry.changed();
    const deadline = Date.now() + 2000;
    while (lines.filter(problem).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines.filter(problem)).toHaveLength(2);
    expect(lines.join('\n')).not.toMatch(/"level":"error"|"log.level":"error"/);
  });
});
