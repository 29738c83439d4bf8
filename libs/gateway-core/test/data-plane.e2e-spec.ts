import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { configFrom } from '@lgsp/config';
import type { ConsumerStatus, TransactionRecord } from '@lgsp/contracts';
import { InProcessChangeChannel } from '@lgsp/data';
import { createHttpApp } from '@lgsp/http';
import { SegmentFileSink, readSegments } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { request } from 'undici';

import { GatewayModule } from '../src/lib/gateway.module';
import type { RegistrySource, RegistryView } from '../src/lib/registry/registry-state.service';
import { createThrottleRuntime } from '../src/lib/policies/throttle';
import type { RoutableApiVersion } from '../src/lib/routing/route-table';
import { closedPort, startSpyUpstream } from '@lgsp/testing';
import { TestTokenMinter, jtiOf, testSigningKey } from './test-tokens.util';
import type { TestSigningKey } from './test-tokens.util';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const CONSUMERS = ['tu-ha-noi.qlcb', 'bo-noi-vu.qlcb'];
/** Registered and subscribed, but suspended by the DGO. */
const SUSPENDED = 'so-xay-dung.qlcb';
/** Active, with a budget of two reads a minute. */
const TIGHT = 'so-tai-chinh.qlcb';
const PROVIDER = 'bo-tu-phap';

/** The registry as the gateway sees it: a list of versions, every test consumer subscribed to each in both environments, and a change signal. */
class ListRegistry implements RegistrySource {
  private listener?: () => void;
  constructor(public versions: RoutableApiVersion[]) {}
  async load(): Promise<RegistryView> {
    return {
      apiVersions: this.versions,
      rateLimits: [{ consumerId: TIGHT, apiVersionId: null, readPerMinute: 2, writePerMinute: 2 }],
      consumers: [...[...CONSUMERS, TIGHT].map((id) => ({ id, status: 'active' as ConsumerStatus })), { id: SUSPENDED, status: 'suspended' as ConsumerStatus }],
      subscriptions: [...CONSUMERS, SUSPENDED, TIGHT].flatMap((consumerId) =>
        this.versions.flatMap((v) => (['sandbox', 'production'] as const).map((environment) => ({ consumerId, apiVersionId: v.id, environment }))),
      ),
      blocks: [],
    };
  }
  onChange(listener: () => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  change(versions: RoutableApiVersion[]): void {
    this.versions = versions;
    this.listener?.();
  }
}

/** The provider's document: every path the tests call, with the methods they call it with (writes take a body of any type). */
const OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'spy provider', version: '1' },
  paths: Object.fromEntries(
    Object.entries({
      '/organisations': ['get'],
      '/organisations/{id}': ['get'],
      '/records': ['get'],
      '/x': ['get'],
      '/echo': ['post', 'put'],
      '/chunked': ['get'],
      '/empty': ['delete'],
      '/items': ['get'],
      '/slow': ['get'],
    }).map(([path, methods]) => [
      path,
      Object.fromEntries(
        methods.map((m) => [m, { responses: { '200': { description: 'ok' } }, ...((m === 'post' || m === 'put') && { requestBody: { content: { '*/*': {} } } }) }]),
      ),
    ]),
  ),
};

function version(domain: string, upstream: string, extra: Partial<RoutableApiVersion> = {}): RoutableApiVersion {
  return {
    id: randomUUID(),
    domain,
    version: 'v1',
    kind: 'rest',
    status: 'published',
    classification: 'noi-bo',
    upstreams: { sandbox: upstream, production: upstream },
    openapi: OPENAPI,
    ...extra,
  };
}


describe('gateway data plane over real HTTP', () => {
  let upstream: Awaited<ReturnType<typeof startSpyUpstream>>;
  let app: NestFastifyApplication;
  let base: string;
  let dir: string;
  let sink: SegmentFileSink;
  let registry: ListRegistry;
  let changes: InProcessChangeChannel;
  let key: TestSigningKey;
  let minter: TestTokenMinter;
  let token: string;
  let directory: RoutableApiVersion;
  const lines: string[] = [];

  beforeAll(async () => {
    upstream = await startSpyUpstream();
    dir = await mkdtemp(join(tmpdir(), 'lgsp-gw-'));
    const config = configFrom({ LGSP_PORT: '0', LGSP_DATA_DIR: dir, LGSP_UPSTREAM_READ_TIMEOUT_MS: '300', LGSP_MAX_BODY_BYTES: '2048', LGSP_REQUIRE_SIGNED_WRITES: 'false' });
    const logger = createLogger({ service: 'lgsp-gateway', level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    sink = await SegmentFileSink.open({ dir: join(dir, 'outbox'), flushIntervalMs: 10_000, segmentBytes: 1 << 20 });
    key = await testSigningKey();
    minter = new TestTokenMinter(config.publicUrl);
    token = await minter.mint(key);
    changes = new InProcessChangeChannel();
    directory = version('directory', `${upstream.url}/base`, { provider: PROVIDER });
    registry = new ListRegistry([
      directory,
      version('split', upstream.url, { upstreams: { sandbox: `${upstream.url}/sandbox`, production: `${upstream.url}/production` } }),
      version('old', upstream.url, { status: 'retired' }),
      version('draft', upstream.url, { status: 'draft' }),
      version('down', `http://127.0.0.1:${await closedPort()}`),
    ]);
    const jwks = { load: async () => ({ keys: [key.publicJwk] }) };
    const revocations = { loadActive: async () => [] };
    @Module({ imports: [GatewayModule.forRoot({ config, logger, registry, changes, jwks, revocations, sink, throttle: createThrottleRuntime(config.throttling), tracingEnabled: false })] })
    class TestGatewayModule {}
    ({ app } = await createHttpApp(TestGatewayModule, { service: 'lgsp-gateway', logger, bodyLimit: config.maxBodyBytes }));
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

  async function records(): Promise<TransactionRecord[]> {
    await sink.flush();
    return (await readSegments(join(dir, 'outbox'))).records;
  }

  /** A call with the consumer's valid token unless the headers say otherwise (`authorization: undefined` sends none). */
  async function call(path: string, init: { method?: string; headers?: Record<string, string | undefined>; body?: string | Buffer } = {}) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries({ authorization: `Bearer ${token}`, ...init.headers })) if (value !== undefined) headers[name] = value;
    const res = await request(base + path, { method: (init.method ?? 'GET') as 'GET', headers, body: init.body });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  it('proxies a read to the provider and back, carrying the ids end to end', async () => {
    const requestId = randomUUID();
    const res = await call('/v1/directory/organisations/7?q=ha%20noi&page=2', {
      headers: { 'x-request-id': requestId, cookie: 'sid=canary-cookie' },
    });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ path: '/base/organisations/7?q=ha%20noi&page=2' });
    expect(res.headers['x-request-id']).toBe(requestId);
    const transactionId = res.headers['x-lgsp-transaction-id'] as string;
    expect(transactionId).toMatch(V7);
    // The throttle's answer is on every response (IETF RateLimit fields), never the provider's own.
    expect(res.headers['ratelimit-policy']).toBe('"read";q=1000;w=60, "write";q=300;w=60');
    expect(res.headers['ratelimit']).toMatch(/^"read";r=\d+;t=\d+$/);

    const seen = upstream.seen.at(-1)!;
    expect(seen.headers['x-request-id']).toBe(requestId);
    expect(seen.headers['x-lgsp-transaction-id']).toBe(transactionId);
    expect(seen.headers.traceparent).toBe(`00-${transactionId.replaceAll('-', '')}-${transactionId.replaceAll('-', '').slice(16)}-00`);
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');

    const line = lines.map((l) => JSON.parse(l)).find((l) => l.transaction?.id === transactionId && l.message === 'transaction');
    expect(line).toMatchObject({ 'http.request.id': requestId, http: { request: { method: 'GET' }, response: { status_code: 200 } }, 'log.level': 'info' });

    const record = (await records()).find((r) => r.transactionId === transactionId);
    expect(record).toMatchObject({
      requestId,
      status: 200,
      method: 'GET',
      path: '/v1/directory/organisations/7',
      apiVersion: 'v1',
      apiDomain: 'directory',
      environment: 'sandbox',
      consumerId: 'tu-ha-noi.qlcb',
      clientId: 'demo-consumer',
      service: 'gateway',
      zone: 'internet',
      providerId: PROVIDER,
      apiId: directory.id,
      routeTemplate: '/organisations/{id}',
      classification: 'noi-bo',
      throttle: { limit: 'read', quota: 1000, remaining: expect.any(Number), admitted: true },
    });
    expect(record).not.toHaveProperty('securityEvent');
    expect(record).not.toHaveProperty('signature');
    expect(record?.upstreamDurationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(record!.upstreamEndedAt!)).toBeGreaterThanOrEqual(Date.parse(record!.upstreamStartedAt!));
    const [, payload, signature] = token.split('.');
    for (const secret of ['canary', signature, payload, jtiOf(token)]) {
      expect(JSON.stringify(record)).not.toContain(secret);
      expect(lines.join('\n')).not.toContain(secret);
    }
  });

  it("serves each call from the upstream of its token's environment", async () => {
    const production = await minter.mint(key, { claims: { env: 'production', sub: 'bo-noi-vu.qlcb', client_id: 'bnv-prod' } });
    const prod = await call('/v1/split/records', { headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${production}` } });
    expect(prod.json()).toEqual({ path: '/production/records' });
    const sandbox = await call('/v1/split/records', { headers: { 'x-request-id': randomUUID() } });
    expect(sandbox.json()).toEqual({ path: '/sandbox/records' });
    expect((await records()).find((r) => r.transactionId === prod.headers['x-lgsp-transaction-id'])).toMatchObject({
      environment: 'production',
      consumerId: 'bo-noi-vu.qlcb',
      clientId: 'bnv-prod',
    });
  });

  it.each([
    ['no token', undefined, /No access token/],
    ['a token that is not a JWT', 'Bearer canary-not-a-jwt', /not a well-formed signed JWT/],
    ['another scheme', 'Basic Y2FuYXJ5OmNhbmFyeQ==', /Bearer scheme/],
  ])('refuses %s with 401 invalid_token and a Bearer challenge, recorded, never reaching the provider', async (_name, authorization, detail) => {
    const before = upstream.seen.length;
    const requestId = randomUUID();
    const res = await call('/v1/directory/organisations', { headers: { 'x-request-id': requestId, authorization } });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"$/);
    const transactionId = res.headers['x-lgsp-transaction-id'] as string;
    expect(res.json()).toEqual({
      type: 'urn:lgsp:problem:invalid_token',
      title: 'The access token is missing, invalid or expired',
      status: 401,
      code: 'invalid_token',
      detail: expect.stringMatching(detail),
      requestId,
      transactionId,
    });
    expect(res.text).not.toContain('canary');
    expect(upstream.seen.length).toBe(before);
    const record = (await records()).find((r) => r.transactionId === transactionId);
    expect(record).toMatchObject({ status: 401, errorCode: 'invalid_token', requestId, service: 'gateway', zone: 'internet', securityEvent: 'authentication-failure' });
    // Refused before routing and throttling: nothing of what follows is known.
    for (const unknown of ['consumerId', 'apiId', 'routeTemplate', 'classification', 'throttle', 'upstreamEndedAt']) expect(record).not.toHaveProperty(unknown);
    expect(JSON.stringify(record)).not.toContain('canary');
  });

  it('refuses a suspended consumer system with 403 consumer_suspended, flagged for the SOC with the route it aimed at', async () => {
    const suspended = await minter.mint(key, { claims: { sub: SUSPENDED, client_id: 'sxd-client' } });
    const res = await call('/v1/directory/organisations/9', { headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${suspended}` } });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ code: 'consumer_suspended' });
    const record = (await records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id']);
    expect(record).toMatchObject({
      status: 403,
      errorCode: 'consumer_suspended',
      securityEvent: 'suspended-consumer-attempt',
      consumerId: SUSPENDED,
      providerId: PROVIDER,
      apiId: directory.id,
      routeTemplate: '/organisations/{id}',
      classification: 'noi-bo',
      zone: 'internet',
    });
    // Refused before the throttle: no budget spent, no decision recorded.
    expect(record).not.toHaveProperty('throttle');
  });

  it('records each throttle decision, and flags only the first 429 of a run as a throttle-burst', async () => {
    const tight = await minter.mint(key, { claims: { sub: TIGHT, client_id: 'stc-client' } });
    const statuses: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call('/v1/directory/organisations', { headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${tight}` } });
      statuses.push(res.status);
      ids.push(res.headers['x-lgsp-transaction-id'] as string);
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    const all = await records();
    const run = ids.map((id) => all.find((r) => r.transactionId === id));
    expect(run.map((r) => r?.throttle)).toEqual([
      { limit: 'read', quota: 2, remaining: 1, admitted: true },
      { limit: 'read', quota: 2, remaining: 0, admitted: true },
      { limit: 'read', quota: 2, remaining: 0, admitted: false },
      { limit: 'read', quota: 2, remaining: 0, admitted: false },
    ]);
    expect(run.map((r) => r?.securityEvent)).toEqual([undefined, undefined, 'throttle-burst', undefined]);
    expect(run[2]).toMatchObject({ status: 429, errorCode: 'rate_limited', consumerId: TIGHT, routeTemplate: '/organisations', apiId: directory.id });
  });

  it('refuses a token as soon as the change channel says it is revoked, and a refusal reveals no route', async () => {
    const revoked = await minter.mint(key);
    expect((await call('/v1/directory/x', { headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${revoked}` } })).status).toBe(200);
    await changes.publish({ kind: 'token-revoked', jti: jtiOf(revoked), exp: Math.floor(Date.now() / 1000) + 3600 });
    const res = await call('/v1/nowhere/x', { headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${revoked}` } });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ code: 'invalid_token', detail: 'The access token has been revoked' });
  });

  it('forwards a write body byte for byte and returns the provider status and headers', async () => {
    const body = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    const res = await call('/v1/directory/echo', { method: 'POST', headers: { 'x-request-id': randomUUID(), 'content-type': 'application/octet-stream' }, body });
    expect(res.status).toBe(201);
    expect(res.headers['x-provider']).toBe('spy');
    expect(upstream.seen.at(-1)!.body.equals(body)).toBe(true);
    const json = '{"title":"Quyết định số 125-QĐ/TU"}';
    const echoed = await call('/v1/directory/echo', { method: 'PUT', headers: { 'x-request-id': randomUUID(), 'content-type': 'application/json' }, body: json });
    expect(echoed.text).toBe(json);
    const record = (await records()).find((r) => r.transactionId === echoed.headers['x-lgsp-transaction-id']);
    expect(record).toMatchObject({ method: 'PUT', bytesIn: Buffer.byteLength(json), bytesOut: Buffer.byteLength(json) });
  });

  it('streams answers without a length and counts their bytes', async () => {
    const res = await call('/v1/directory/chunked', { headers: { 'x-request-id': randomUUID() } });
    expect(res.text).toBe('abcdef');
    const record = (await records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id']);
    expect(record?.bytesOut).toBe(6);
  });

  it('passes 204 and HEAD through without a body', async () => {
    expect((await call('/v1/directory/empty', { method: 'DELETE', headers: { 'x-request-id': randomUUID() } })).status).toBe(204);
    const head = await call('/v1/directory/items', { method: 'HEAD', headers: { 'x-request-id': randomUUID() } });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it.each([
    ['missing', undefined],
    ['not a UUID', 'abc'],
    ['a UUID v7', '0190f5d2-9c3a-7b4e-8f00-a1b2c3d4e5f6'],
  ])('refuses a %s X-Request-ID with 400 problem+json, recorded, never reaching the provider', async (_name, value) => {
    const before = upstream.seen.length;
    const res = await call('/v1/directory/organisations', { headers: value === undefined ? {} : { 'x-request-id': value } });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const transactionId = res.headers['x-lgsp-transaction-id'] as string;
    expect(res.json()).toEqual({
      type: 'urn:lgsp:problem:request_id_invalid',
      title: 'X-Request-ID is missing or is not a UUID v4',
      status: 400,
      code: 'request_id_invalid',
      detail: expect.stringContaining('UUID v4'),
      transactionId,
    });
    expect(upstream.seen.length).toBe(before);
    expect((await records()).find((r) => r.transactionId === transactionId)).toMatchObject({ status: 400, errorCode: 'request_id_invalid' });
  });

  it.each([
    ['/v1/nowhere/x', 404, 'not_found'],
    ['/v1/draft/x', 404, 'not_found'],
    ['/v2/directory/x', 404, 'not_found'],
    ['/anything', 404, 'not_found'],
    ['/v1/old/x', 410, 'api_retired'],
    ['/v1/directory/a%2F..%2Fadmin', 400, 'validation_failed'],
  ])('answers %s with %i %s and the request id', async (path, status, code) => {
    const requestId = randomUUID();
    const res = await call(path, { headers: { 'x-request-id': requestId } });
    expect(res.status).toBe(status);
    expect(res.json()).toMatchObject({ status, code, requestId, transactionId: res.headers['x-lgsp-transaction-id'] });
    expect(res.headers['x-request-id']).toBe(requestId);
    expect((await records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id'])).toMatchObject({ status, errorCode: code, requestId });
  });

  it('refuses dot segments sent raw on the wire, which clients would normally resolve away', async () => {
    const { port } = new URL(base);
    const socket = connect(Number(port), '127.0.0.1');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.write(`GET /v1/directory/../../admin HTTP/1.1\r\nHost: x\r\nX-Request-ID: ${randomUUID()}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"validation_failed"');
  });

  it('answers 502 upstream_unavailable for a provider that refuses connections', async () => {
    const res = await call('/v1/down/x', { headers: { 'x-request-id': randomUUID() } });
    expect(res.status).toBe(502);
    expect(res.json()).toMatchObject({ code: 'upstream_unavailable', detail: expect.stringContaining('ECONNREFUSED') });
    expect((await records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 502, errorCode: 'upstream_unavailable' });
  });

  it('answers 504 upstream_timeout when the provider is slower than the read timeout', async () => {
    const res = await call('/v1/directory/slow', { headers: { 'x-request-id': randomUUID() } });
    expect(res.status).toBe(504);
    expect(res.json()).toMatchObject({ code: 'upstream_timeout', detail: 'The provider service did not answer within 300 ms' });
  });

  it('answers 413 payload_too_large past the body limit, recorded, without reaching the provider', async () => {
    const before = upstream.seen.length;
    const res = await call('/v1/directory/echo', { method: 'POST', headers: { 'x-request-id': randomUUID(), 'content-type': 'application/json' }, body: 'x'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ code: 'payload_too_large' });
    expect(upstream.seen.length).toBe(before);
    expect((await records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 413, errorCode: 'payload_too_large' });
  });

  it('routes a newly registered version as soon as the registry says it changed', async () => {
    const headers = { 'x-request-id': randomUUID() };
    expect((await call('/v2/directory/x', { headers })).status).toBe(404);
    registry.change([...registry.versions, version('directory', upstream.url, { version: 'v2' })]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await call('/v2/directory/x', { headers: { 'x-request-id': randomUUID() } })).status).toBe(200);
  });

  it('reports live, ready and per-API metrics', async () => {
    expect((await call('/health/live')).json()).toEqual({ status: 'ok' });
    expect((await call('/health/ready')).json()).toEqual({ status: 'ready', snapshot: 'live', routes: expect.any(Number), signingKeys: 1 });
    const metrics = (await call('/metrics')).text;
    expect(metrics).toMatch(/lgsp_http_requests_total\{service="lgsp-gateway",route="\/v1\/directory",method="GET",status="200"\} \d+/);
    expect(metrics).toMatch(/lgsp_http_request_duration_seconds_bucket\{le="0.005",service="lgsp-gateway",route="\/v1\/directory"/);
  });
});
