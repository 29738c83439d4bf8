import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { LgspConfig } from '@lgsp/config';
import { configFrom } from '@lgsp/config';
import type { TransactionRecord } from '@lgsp/contracts';
import { BACKEND_JWKS_PATH } from '@lgsp/contracts';
import type { LgspDatabase } from '@lgsp/data';
import { InProcessChangeChannel, applyDeclarativeConfig, migrateDatabase, openDatabase, parseDeclarativeConfig } from '@lgsp/data';
import { readSegments } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';
import type { SpyUpstream, TestDatabase } from '@lgsp/testing';
import { closedPort, createTestDatabase, startSpyUpstream } from '@lgsp/testing';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { request } from 'undici';

import type { GatewayApp } from '../src/lib/gateway.app';
import { createGatewayApp, outboxDir } from '../src/lib/gateway.app';
import type { ControlledRequest } from './controlled-upstream.util';
import { ControlledUpstream, answerJson } from './controlled-upstream.util';
import { TestTokenMinter, testSigningKey } from './test-tokens.util';

const CONSUMER = 'tu-ha-noi.qlcb';

/** Every path the tests call, as the providers' document declares them. */
const OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'controlled provider', version: '1' },
  paths: {
    '/r/{id}': { get: { responses: { '200': { description: 'ok' } } }, head: { responses: { '200': { description: 'ok' } } } },
    '/r': {
      post: {
        requestBody: { content: { 'application/json': { schema: { type: 'object' } }, 'text/plain': { schema: { type: 'string' } } } },
        responses: { '201': { description: 'created' } },
      },
    },
  },
};

/**
 * The proxy step against providers the test controls (node:http servers that answer, hold, time
 * out or cut connections) and the spy provider, through the gateway as its app composes it, on a
 * registry in a real PostgreSQL database, with a clock the test moves for the circuit's cool-down.
 */
describe('proxy resilience end to end', () => {
  let dir: string;
  let testDb: TestDatabase;
  let database: LgspDatabase;
  let changes: InProcessChangeChannel;
  let gateway: GatewayApp;
  let config: LgspConfig;
  let base: string;
  let token: string;
  let now: number;
  let spy: SpyUpstream;
  /** Its circuit is opened and closed. */
  let flaky: ControlledUpstream;
  /** Resets and closes kept-alive connections. */
  let resetting: ControlledUpstream;
  /** Answers late. */
  let slow: ControlledUpstream;
  /** Sends hop-by-hop fields back. */
  let hops: ControlledUpstream;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-proxy-'));
    [spy, flaky, resetting, slow, hops] = await Promise.all([startSpyUpstream(), ControlledUpstream.start(), ControlledUpstream.start(), ControlledUpstream.start(), ControlledUpstream.start()]);
    const api = (domain: string, upstream: string, extra: Record<string, unknown> = {}) => ({ domain, version: 'v1', upstream, openapi: OPENAPI, classification: 'noi-bo', ...extra });
    const apis = [
      api('spy', spy.url),
      api('hops', hops.url),
      // Two APIs on one provider origin share its circuit; a generous timeout keeps a held probe from timing out on a busy machine.
      api('flaky', `${flaky.url}/a`, { read_timeout_ms: 10_000 }),
      api('flaky-too', `${flaky.url}/b`, { read_timeout_ms: 10_000 }),
      api('resetting', resetting.url),
      // The platform's read timeout stays at its 2 s default: this API's own 300 ms must win.
      api('slow', slow.url, { read_timeout_ms: 300 }),
    ];
    const declarative = await parseDeclarativeConfig(
      {
        format_version: '1',
        consumers: [{ id: CONSUMER, name: 'Hệ thống quản lý cán bộ', subscriptions: apis.map((a) => ({ api: a.domain, version: 'v1' })) }],
        apis,
      },
      { source: 'proxy-resilience', baseDir: dir },
    );
    testDb = await createTestDatabase();
    database = await openDatabase({ url: testDb.url });
    await migrateDatabase(database);
    await applyDeclarativeConfig(database.db, declarative, { pepper: 'test-pepper-test-pepper-test-pepper!' });
    changes = new InProcessChangeChannel();
    // A known port, so LGSP_PUBLIC_URL (the backend JWT's issuer) is where the JWKS really is.
    config = configFrom({ LGSP_PORT: String(await closedPort()), LGSP_DATA_DIR: dir, LGSP_CIRCUIT_FAILURE_THRESHOLD: '3', LGSP_REQUIRE_SIGNED_WRITES: 'false' });
    const key = await testSigningKey();
    now = Date.now();
    token = await new TestTokenMinter(config.publicUrl, () => now).mint(key, { claims: { sub: CONSUMER, client_id: 'qlcb-sandbox' } });
    gateway = await createGatewayApp({
      config,
      logger: createLogger({ service: 'lgsp-gateway', level: 'info', destination: { write: (line: string) => void lines.push(line) } }),
      database,
      changes,
      jwks: { load: async () => ({ keys: [key.publicJwk] }) },
      revocations: { loadActive: async () => [] },
      tracingEnabled: false,
      withProcessMetrics: false,
      clock: () => now,
    });
    base = await gateway.listen();
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await changes?.close();
    await Promise.all([spy, flaky, resetting, slow, hops].map((u) => u?.close()));
    await database?.close();
    await testDb?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
    const requestId = init.headers?.['x-request-id'] ?? randomUUID();
    const res = await request(base + path, {
      method: (init.method ?? 'GET') as 'GET',
      headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId, ...init.headers },
      body: init.body,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text, requestId, json: () => JSON.parse(text) };
  }

  async function records(): Promise<TransactionRecord[]> {
    await gateway.sink.flush();
    return (await readSegments(outboxDir(config))).records;
  }

  async function metrics(): Promise<string> {
    return (await request(`${base}/metrics`)).body.text();
  }

  /** One request written byte for byte (hop-by-hop fields no HTTP client library would send), and the whole answer. */
  async function rawExchange(text: string): Promise<{ status: number; headers: Record<string, string>; text: string }> {
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    const answer = await new Promise<string>((resolve, reject) => {
      let received = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
      socket.write(text);
    });
    const split = answer.indexOf('\r\n\r\n');
    const [statusLine, ...fields] = answer.slice(0, split).split('\r\n');
    const headers: Record<string, string> = {};
    for (const field of fields) {
      const colon = field.indexOf(':');
      headers[field.slice(0, colon).trim().toLowerCase()] = field.slice(colon + 1).trim();
    }
    return { status: Number(statusLine.split(' ')[1]), headers, text: answer.slice(split + 4) };
  }

  describe('what the provider receives', () => {
    it("sends X-Request-ID, traceparent, X-LGSP-Consumer and a backend JWT the provider verifies against the platform's JWKS; never the consumer's token or cookies", async () => {
      const res = await call('/v1/spy/r/1', { headers: { cookie: 'sid=canary-cookie', 'x-lgsp-consumer': 'forged', 'x-lgsp-assertion': 'forged' } });
      expect(res.status).toBe(200);
      const seen = spy.seen.at(-1)!;
      expect(seen.headers['x-request-id']).toBe(res.requestId);
      expect(seen.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      expect(seen.headers['x-lgsp-consumer']).toBe(CONSUMER);
      expect(seen.headers.authorization).toBeUndefined();
      expect(seen.headers.cookie).toBeUndefined();
      expect(JSON.stringify(seen.headers)).not.toContain(token.split('.')[2]);
      expect(JSON.stringify(seen.headers)).not.toContain('canary');

      // The provider's side: the assertion against the JWKS published on the public listener.
      const jwksUrl = new URL(BACKEND_JWKS_PATH, config.publicUrl);
      expect(jwksUrl.toString()).toBe(`${base}${BACKEND_JWKS_PATH}`);
      const assertion = seen.headers['x-lgsp-assertion'] as string;
      const { payload, protectedHeader } = await jwtVerify(assertion, createRemoteJWKSet(jwksUrl), {
        issuer: config.publicUrl,
        audience: spy.url,
        typ: 'lgsp-backend+jwt',
        algorithms: ['ES256'],
        currentDate: new Date(now),
      });
      expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'lgsp-backend+jwt', kid: expect.any(String) });
      expect(payload).toEqual({
        iss: config.publicUrl,
        aud: spy.url,
        sub: CONSUMER,
        client_id: 'qlcb-sandbox',
        env: 'sandbox',
        jti: expect.any(String),
        iat: Math.floor(now / 1000),
        exp: Math.floor(now / 1000) + 60,
      });

      // One JWT serves the caller's calls to this provider for a while; another provider gets its own audience.
      await call('/v1/spy/r/2');
      expect(spy.seen.at(-1)!.headers['x-lgsp-assertion']).toBe(assertion);
      await call('/v1/hops/r/1');
      const other = hops.seen.at(-1)!.headers['x-lgsp-assertion'] as string;
      expect(other).not.toBe(assertion);
      await expect(jwtVerify(other, createRemoteJWKSet(jwksUrl), { audience: spy.url, currentDate: new Date(now) })).rejects.toThrow(/aud/);
    });

    it('publishes only the public key, cacheable', async () => {
      const res = await request(`${base}${BACKEND_JWKS_PATH}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      const jwks = (await res.body.json()) as { keys: Record<string, unknown>[] };
      expect(jwks.keys).toEqual([{ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: 'ES256', use: 'sig' }]);
    });

    it('strips hop-by-hop fields both ways, with those the Connection field names', async () => {
      hops.behave = (_request, response) => {
        response.writeHead(200, {
          'content-type': 'text/plain',
          connection: 'keep-alive, X-Internal-Route',
          'x-internal-route': 'canary-route',
          'keep-alive': 'timeout=5',
          'proxy-authenticate': 'Basic realm="canary"',
          'proxy-status': 'canary',
          trailer: 'X-Checksum',
          'x-provider': 'hops',
        });
        response.end('ok');
      };
      const requestId = randomUUID();
      const body = 'chunked body';
      const raw = await rawExchange(
        [
          'POST /v1/hops/r HTTP/1.1',
          'Host: gateway.example',
          `Authorization: Bearer ${token}`,
          `X-Request-ID: ${requestId}`,
          'Content-Type: text/plain',
          'Cookie: sid=canary-cookie',
          'Connection: close, X-Hop-Secret',
          'X-Hop-Secret: canary-hop',
          'Keep-Alive: timeout=5',
          'TE: trailers',
          'Trailer: X-Checksum',
          'Upgrade: h2c',
          'Proxy-Authorization: Basic Y2FuYXJ5',
          'Proxy-Canary: canary',
          'Transfer-Encoding: chunked',
          '',
          `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
        ].join('\r\n'),
      );
      expect(raw.status).toBe(200);
      expect(raw.headers['x-provider']).toBe('hops');
      for (const name of ['x-internal-route', 'keep-alive', 'proxy-authenticate', 'proxy-status', 'trailer']) expect(raw.headers).not.toHaveProperty(name);
      // Connection is the gateway's own (this client asked to close), never the provider's.
      expect(raw.headers.connection).toBe('close');
      expect(raw.text).not.toContain('canary');

      const [seen] = hops.withRequestId(requestId);
      for (const name of ['authorization', 'cookie', 'x-hop-secret', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-canary', 'transfer-encoding']) {
        expect(seen.headers).not.toHaveProperty(name);
      }
      // The body arrives whole, with its length (undici's own Connection: keep-alive to the provider).
      expect(seen.headers['content-length']).toBe(String(body.length));
      expect(seen.headers.connection).toBe('keep-alive');
      expect(JSON.stringify(seen.headers)).not.toContain('canary');
      hops.behave = answerJson;
    });
  });

  describe('what the provider cannot be blamed for', () => {
    it('forwards a write sent with Expect: 100-continue, which the gateway answered itself', async () => {
      const requestId = randomUUID();
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const outgoing = httpRequest(`${base}/v1/hops/r`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId, 'content-type': 'application/json', expect: '100-continue' },
        });
        outgoing.on('continue', () => outgoing.end('{"a":1}'));
        outgoing.on('response', (incoming) => {
          let body = '';
          incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
        });
        outgoing.on('error', reject);
      });
      expect(answer).toEqual({ status: 200, body: JSON.stringify({ path: '/r' }) });
      const [seen] = hops.withRequestId(requestId);
      expect(seen.headers).not.toHaveProperty('expect');
    });
  });

  describe('timeouts', () => {
    it("answers 504 upstream_timeout at the API's own read timeout, aborting the call to the provider, and never retries it", async () => {
      slow.behave = (_request, response) => {
        setTimeout(() => response.end('late'), 5000).unref();
      };
      const res = await call('/v1/slow/r/1');
      expect(res.status).toBe(504);
      expect(res.json()).toMatchObject({ code: 'upstream_timeout', detail: 'The provider service did not answer within 300 ms', requestId: res.requestId });
      const calls = slow.withRequestId(res.requestId);
      expect(calls).toHaveLength(1);
      // The gateway cut the call: the provider saw the connection go before it could answer.
      expect(await calls[0].abandoned).toBe(true);
      expect((await records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 504, errorCode: 'upstream_timeout' });
      // How soon after the deadline the 504 leaves is measured, not asserted: docs/benchmarks.md.
    });
  });

  describe('retry of idempotent reads', () => {
    /** Answers normally, except that a request arriving on a kept-alive socket has its connection cut, once. */
    function cutNextReusedConnection(how: 'reset' | 'close'): void {
      let armed = true;
      resetting.behave = (request, response, seen) => {
        if (armed && seen.onSocket > 1) {
          armed = false;
          if (how === 'reset') request.socket.resetAndDestroy();
          else request.socket.destroy();
          return;
        }
        answerJson(request, response, seen);
      };
    }

    it.each(['reset', 'close'] as const)('sends a GET once more, with the same X-Request-ID, when the provider %ss a kept-alive connection under it', async (how) => {
      expect((await call('/v1/resetting/r/warm')).status).toBe(200);
      cutNextReusedConnection(how);
      const res = await call('/v1/resetting/r/1');
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ path: '/r/1' });
      const calls = resetting.withRequestId(res.requestId);
      expect(calls.map((c) => ({ method: c.method, url: c.url, onSocket: c.onSocket > 1 ? 'reused' : 'new' }))).toEqual([
        { method: 'GET', url: '/r/1', onSocket: 'reused' },
        { method: 'GET', url: '/r/1', onSocket: 'new' },
      ]);
    });

    it('never sends a POST twice: the consumer gets 502 upstream_unavailable', async () => {
      expect((await call('/v1/resetting/r/warm')).status).toBe(200);
      cutNextReusedConnection('reset');
      const res = await call('/v1/resetting/r', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      expect(res.status).toBe(502);
      expect(res.json()).toMatchObject({ code: 'upstream_unavailable' });
      expect(resetting.withRequestId(res.requestId)).toHaveLength(1);
    });

    it('counts the retries per provider origin', async () => {
      expect(await metrics()).toContain(`lgsp_upstream_retries_total{origin="${resetting.url}"} 2`);
    });
  });

  describe('circuit breaker per provider origin', () => {
    let held: (() => void)[] = [];

    /** The provider answers with this status, or holds each answer until the test lets it go. */
    function flakyAnswers(status: number | 'held' | 'cut'): void {
      flaky.behave = (request, response) => {
        if (status === 'cut') return void request.socket.destroy();
        const answer = (code: number) => {
          response.writeHead(code, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ path: request.url }));
        };
        if (status === 'held') held.push(() => answer(200));
        else answer(status);
      };
    }

    function circuitLines(): { action: string; from: string }[] {
      return lines
        .map((l) => JSON.parse(l))
        .filter((l) => l.lgsp?.upstream === flaky.url && String(l.event?.action).startsWith('upstream-circuit-'))
        .map((l) => ({ action: l.event.action, from: l.lgsp.circuitFrom }));
    }

    it('opens after 3 consecutive failures — a 503 and a 504 from the provider count, as does a cut connection — and then refuses without calling the provider', async () => {
      flakyAnswers(200);
      expect((await call('/v1/flaky/r/1')).status).toBe(200);
      flakyAnswers(503);
      expect((await call('/v1/flaky/r/1')).status).toBe(503);
      flakyAnswers('cut');
      const cut = await call('/v1/flaky/r/1');
      expect(cut.status).toBe(502);
      expect(cut.json()).toMatchObject({ code: 'upstream_unavailable' });
      expect(circuitLines()).toEqual([]);
      flakyAnswers(504);
      expect((await call('/v1/flaky-too/r/1')).status).toBe(504);
      expect(circuitLines()).toEqual([{ action: 'upstream-circuit-open', from: 'closed' }]);

      const before = flaky.seen.length;
      for (const path of ['/v1/flaky/r/2', '/v1/flaky-too/r/2']) {
        const res = await call(path);
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('30');
        expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
        expect(res.json()).toMatchObject({ code: 'circuit_open', status: 503, requestId: res.requestId, detail: expect.stringContaining('retry in 30 s') });
        expect(res.text).not.toContain(flaky.url);
        expect((await records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 503, errorCode: 'circuit_open' });
      }
      expect(flaky.seen.length).toBe(before);
      // Another origin is not affected.
      expect((await call('/v1/spy/r/3')).status).toBe(200);
      const scraped = await metrics();
      expect(scraped).toContain(`lgsp_upstream_circuit_state{origin="${flaky.url}"} 2`);
      expect(scraped).toContain(`lgsp_upstream_circuit_state{origin="${spy.url}"} 0`);
      expect(scraped).toContain(`lgsp_upstream_circuit_opened_total{origin="${flaky.url}"} 1`);
      // Logged once, however many calls it refuses.
      expect(circuitLines()).toHaveLength(1);
    });

    it('counts down Retry-After on the clock, then lets one probe through while concurrent calls are refused; a failed probe opens it again', async () => {
      now += 29_001;
      const late = await call('/v1/flaky/r/3');
      expect(late.status).toBe(503);
      expect(late.headers['retry-after']).toBe('1');

      now += 999;
      flakyAnswers(502);
      const probe = await call('/v1/flaky/r/probe-1');
      expect(probe.status).toBe(502);
      expect(flaky.withRequestId(probe.requestId)).toHaveLength(1);
      const reopened = await call('/v1/flaky/r/4');
      expect(reopened.status).toBe(503);
      expect(reopened.headers['retry-after']).toBe('30');
      expect(flaky.withRequestId(reopened.requestId)).toHaveLength(0);
      expect(circuitLines().slice(1)).toEqual([
        { action: 'upstream-circuit-half-open', from: 'open' },
        { action: 'upstream-circuit-open', from: 'half-open' },
      ]);
    });

    it('closes when the probe succeeds, the calls during the probe having been refused', async () => {
      now += 30_000;
      held = [];
      flakyAnswers('held');
      const arrival = flaky.nextArrival();
      const probe = call('/v1/flaky/r/probe-2');
      const atProvider: ControlledRequest = await arrival;
      expect(atProvider.url).toBe('/a/r/probe-2');

      const during = await Promise.all([call('/v1/flaky/r/5'), call('/v1/flaky-too/r/5')]);
      for (const res of during) {
        expect(res.status).toBe(503);
        expect(res.json()).toMatchObject({ code: 'circuit_open' });
        expect(res.headers['retry-after']).toBe('1');
        expect(flaky.withRequestId(res.requestId)).toHaveLength(0);
      }

      held.forEach((release) => release());
      expect((await probe).status).toBe(200);
      flakyAnswers(200);
      expect((await call('/v1/flaky-too/r/6')).status).toBe(200);
      expect((await call('/v1/flaky/r/7')).status).toBe(200);
      expect(circuitLines().slice(3)).toEqual([
        { action: 'upstream-circuit-half-open', from: 'open' },
        { action: 'upstream-circuit-closed', from: 'half-open' },
      ]);
      expect(await metrics()).toContain(`lgsp_upstream_circuit_state{origin="${flaky.url}"} 0`);
    });
  });
});
