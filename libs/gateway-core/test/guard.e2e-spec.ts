import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

import { Agent, request } from 'undici';

import { AccessTokenVerifier } from '../src/lib/policies/authenticate/access-token-verifier.service';
import { startHoldingUpstream, startTestGateway, startTestRegistry } from './guard-test-gateway.util';
import type { HoldingUpstream, TestGateway, TestRegistry } from './guard-test-gateway.util';

interface CallOptions {
  /** Sent as X-Forwarded-For. */
  readonly forwardedFor?: string;
  /** Bearer token; the consumer's valid one unless given. */
  readonly token?: string;
  /** Undici agent: another local address than 127.0.0.1, say. */
  readonly dispatcher?: Agent;
}

/** A raw HTTP/1.1 exchange: what the server wrote before it closed the connection. */
function exchange(port: number, send: (socket: Socket) => void): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.once('connect', () => send(socket));
  });
}

function parseResponse(raw: string): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const [head, body] = raw.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown> };
}

const portOf = (base: string): number => Number(new URL(base).port);

/**
 * The guard (phase 5) and the zones through the gateway as its app composes it, on a PostgreSQL
 * registry: the client address behind LGSP_TRUSTED_PROXIES=127.0.0.1 (X-Forwarded-For stands for
 * the clients a load balancer would forward), per-IP and in-flight limits decided before any token
 * is verified, and the Party-WAN zone of LGSP_WAN_CIDRS.
 */
describe('gateway guard and zones', () => {
  let upstream: HoldingUpstream;
  let registry: TestRegistry;
  let gw: TestGateway;
  /** The gateway's clock, moved on between tests so each starts with fresh per-IP windows. */
  let now = Date.now();
  /** Connects from 127.0.0.2: a peer that is not a trusted proxy. */
  const untrusted = new Agent({ localAddress: '127.0.0.2' });

  beforeAll(async () => {
    upstream = await startHoldingUpstream();
    registry = await startTestRegistry(upstream.url);
    gw = await startTestGateway(
      registry,
      {
        LGSP_TRUSTED_PROXIES: '127.0.0.1',
        LGSP_WAN_CIDRS: '10.20.0.0/16, 2001:db8:20::/48',
        LGSP_GUARD_PER_IP_PER_SECOND: '5',
        LGSP_GUARD_MAX_IN_FLIGHT: '3',
        LGSP_MAX_BODY_BYTES: '1024',
      },
      () => now,
    );
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    await untrusted.close();
    await registry?.close();
    await upstream?.close();
  });

  beforeEach(() => {
    now += 10_000;
  });

  afterEach(() => jest.restoreAllMocks());

  async function call(path: string, options: CallOptions = {}) {
    const res = await request(`${gw.base}${path}`, {
      headers: {
        'x-request-id': randomUUID(),
        authorization: `Bearer ${options.token ?? gw.token}`,
        ...(options.forwardedFor !== undefined && { 'x-forwarded-for': options.forwardedFor }),
      },
      dispatcher: options.dispatcher,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  }

  async function recordOf(res: { headers: Record<string, unknown> }) {
    return (await gw.records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id']);
  }

  it('takes the client address from X-Forwarded-For only through a trusted proxy, and records it', async () => {
    const proxied = await call('/v1/records/items', { forwardedFor: '10.20.0.1, 198.51.100.7' });
    expect(proxied.status).toBe(200);
    expect((await recordOf(proxied))?.clientIp).toBe('198.51.100.7');

    const chained = await call('/v1/records/items', { forwardedFor: 'forged, 198.51.100.8, 127.0.0.1' });
    expect(chained.status).toBe(200);
    expect((await recordOf(chained))?.clientIp).toBe('198.51.100.8');

    // Straight from a peer that is no trusted proxy: its X-Forwarded-For is its own claim, ignored.
    const spoofed = await call('/v1/records/items', { forwardedFor: '10.20.0.1', dispatcher: untrusted });
    expect(spoofed.status).toBe(200);
    expect((await recordOf(spoofed))?.clientIp).toBe('127.0.0.2');

    // Refused before the chain runs (body over LGSP_MAX_BODY_BYTES): Fastify's request.ip, behind the same proxies.
    const large = await request(`${gw.base}/v1/records/items`, {
      method: 'POST',
      headers: { 'x-request-id': randomUUID(), 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.30' },
      body: 'x'.repeat(2048),
    });
    await large.body.dump();
    expect(large.statusCode).toBe(413);
    expect(await recordOf(large)).toMatchObject({ clientIp: '198.51.100.30', errorCode: 'payload_too_large' });
  });

  it('refuses Mật and Tối mật from outside the Party-WAN zone with 403 zone_forbidden, and from inside unsigned with 401 signature_missing', async () => {
    for (const path of ['/v1/records/dossiers/7', '/v1/records/cipher/7']) {
      const outside = await call(path, { forwardedFor: '198.51.100.9' });
      expect(outside.status).toBe(403);
      expect(outside.body).toMatchObject({ code: 'zone_forbidden', status: 403, detail: expect.stringMatching(/Party-WAN\) zone; this call comes from outside it$/) });
      expect(await recordOf(outside)).toMatchObject({ clientIp: '198.51.100.9', errorCode: 'zone_forbidden', status: 403, consumerId: 'tu-ha-noi.qlcb' });

      for (const inside of ['10.20.3.4', '2001:db8:20::5']) {
        const res = await call(path, { forwardedFor: inside });
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ code: 'signature_missing', detail: expect.stringMatching(/Mật and Tối mật operations are served only on signed calls/) });
      }
    }
    // A spoofed WAN address from an untrusted peer does not put it in the zone.
    const spoofed = await call('/v1/records/dossiers/7', { forwardedFor: '10.20.3.4', dispatcher: untrusted });
    expect(spoofed.body).toMatchObject({ code: 'zone_forbidden' });
    // Unclassified operations are served from anywhere.
    expect((await call('/v1/records/items', { forwardedFor: '198.51.100.9' })).status).toBe(200);
  });

  it('refuses a flooding address 429 before its tokens are verified, while other addresses are served', async () => {
    const verify = jest.spyOn(AccessTokenVerifier.prototype, 'handle');
    // One after another: the gateway's clock stands still, so all fall in one second.
    const flood: Awaited<ReturnType<typeof call>>[] = [];
    for (let i = 0; i < 25; i++) flood.push(await call('/v1/records/items', { forwardedFor: '203.0.113.66', token: 'garbage.not-a.jwt' }));
    const byStatus = (status: number) => flood.filter((res) => res.status === status);
    // The 5 the guard let through met the verifier and its 401; the 20 others never reached it.
    expect(byStatus(401)).toHaveLength(5);
    expect(byStatus(429)).toHaveLength(20);
    expect(verify).toHaveBeenCalledTimes(5);
    for (const refused of byStatus(429)) {
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(refused.body).toMatchObject({ code: 'rate_limited', status: 429, detail: 'More than 5 requests per second from this address' });
    }
    expect(await recordOf(byStatus(429)[0])).toMatchObject({ clientIp: '203.0.113.66', errorCode: 'rate_limited', status: 429 });

    // Another client is untouched; the flooder is served again once its second has passed.
    expect((await call('/v1/records/items', { forwardedFor: '203.0.113.67' })).status).toBe(200);
    now += 2000;
    expect((await call('/v1/records/items', { forwardedFor: '203.0.113.66' })).status).toBe(200);
  });

  it('refuses beyond LGSP_GUARD_MAX_IN_FLIGHT requests at once, before authentication, and admits again as they finish', async () => {
    const held = ['198.51.100.21', '198.51.100.22', '198.51.100.23'].map((ip) => call('/v1/records/hold', { forwardedFor: ip }));
    await upstream.held(3);
    const verify = jest.spyOn(AccessTokenVerifier.prototype, 'handle');
    const full = await call('/v1/records/items', { forwardedFor: '198.51.100.24' });
    expect(full.status).toBe(429);
    expect(full.headers['retry-after']).toBe('1');
    expect(full.body).toMatchObject({ code: 'rate_limited', detail: expect.stringMatching(/as many requests as it takes at once/) });
    expect(verify).not.toHaveBeenCalled();

    upstream.release();
    expect((await Promise.all(held)).map((res) => res.status)).toEqual([200, 200, 200]);
    expect((await call('/v1/records/items', { forwardedFor: '198.51.100.24' })).status).toBe(200);
  });
});

/**
 * The public listener's own limits, which act before a request exists: the size of a request head,
 * the time a client takes to send one, and the number of open connections.
 */
describe('gateway listener limits', () => {
  let upstream: HoldingUpstream;
  let registry: TestRegistry;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startHoldingUpstream();
    registry = await startTestRegistry(upstream.url);
    gw = await startTestGateway(registry, { LGSP_MAX_HEADER_BYTES: '2048', LGSP_CLIENT_HEADERS_TIMEOUT_MS: '300', LGSP_CLIENT_TIMEOUT_MS: '600' });
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    await registry?.close();
    await upstream?.close();
  });

  it('answers a request head over LGSP_MAX_HEADER_BYTES with 431 problem+json and closes the connection', async () => {
    const raw = await exchange(portOf(gw.base), (socket) =>
      socket.write(`GET /v1/records/items HTTP/1.1\r\nHost: gateway\r\nX-Request-ID: ${randomUUID()}\r\nX-Padding: ${'a'.repeat(4096)}\r\n\r\n`),
    );
    const res = parseResponse(raw);
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.headers['connection']).toBe('close');
    expect(res.body).toEqual({
      type: 'urn:lgsp:problem:validation_failed',
      title: expect.any(String),
      status: 431,
      code: 'validation_failed',
      detail: 'The request line and headers exceed 2048 bytes',
    });
    // A head within the limit is served.
    const small = await request(`${gw.base}/health/live`, { headers: { 'x-padding': 'a'.repeat(1024) } });
    expect(small.statusCode).toBe(200);
    await small.body.dump();
  });

  it('disconnects a client trickling its headers with 408 problem+json', async () => {
    let trickled = 0;
    const raw = await exchange(portOf(gw.base), (socket) => {
      socket.write('GET /v1/records/items HTTP/1.1\r\nHost: gateway\r\n');
      const drip = setInterval(() => {
        if (socket.destroyed) return clearInterval(drip);
        socket.write(`X-Drip-${trickled++}: 1\r\n`);
      }, 50);
      socket.once('close', () => clearInterval(drip));
    });
    const res = parseResponse(raw);
    expect(res.status).toBe(408);
    expect(res.body).toMatchObject({ status: 408, detail: 'The request did not arrive in time: headers within 300 ms, the whole request within 600 ms' });
    // It was still sending when it was cut off.
    expect(trickled).toBeGreaterThan(0);
  });

  it('disconnects a client trickling its body within the whole-request time', async () => {
    let sent = 0;
    const raw = await exchange(portOf(gw.base), (socket) => {
      socket.write(`POST /v1/records/items HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nX-Request-ID: ${randomUUID()}\r\n\r\n`);
      const drip = setInterval(() => {
        if (socket.destroyed) return clearInterval(drip);
        socket.write(' ');
        sent++;
      }, 50);
      socket.once('close', () => clearInterval(drip));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 408 /);
    expect(sent).toBeLessThan(1000);
  });

  it('closes connections beyond LGSP_MAX_CONNECTIONS on accept, serving those it holds', async () => {
    // A listener of its own: no connection of another test is still open on it.
    const limited = await startTestGateway(registry, { LGSP_MAX_CONNECTIONS: '2' });
    const port = portOf(limited.base);
    const open: Socket[] = [];
    // Two keep-alive connections, each served once so the listener has surely counted them.
    for (let i = 0; i < 2; i++) {
      const socket = connect(port, '127.0.0.1');
      open.push(socket);
      await new Promise<void>((resolve) => {
        socket.once('data', () => resolve());
        socket.write('GET /health/live HTTP/1.1\r\nHost: gateway\r\n\r\n');
      });
    }
    try {
      const third = await exchange(port, (socket) => socket.write('GET /health/live HTTP/1.1\r\nHost: gateway\r\n\r\n'));
      expect(third).toBe('');
      // The two it holds still work.
      const again = await new Promise<string>((resolve) => {
        open[0].once('data', (chunk: Buffer) => resolve(chunk.toString('latin1')));
        open[0].write('GET /health/live HTTP/1.1\r\nHost: gateway\r\n\r\n');
      });
      expect(again).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      for (const socket of open) socket.destroy();
      await limited.close();
    }
  });
});
