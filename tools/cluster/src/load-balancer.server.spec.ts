import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { LoadBalancer } from './load-balancer.server';

interface Backend {
  url: string;
  seen: { url: string; headers: IncomingHttpHeaders; body: string }[];
  server: Server;
}

/** A replica stand-in: ready unless told otherwise; `/hang-up` closes the connection without answering. */
async function backend(name: string, ready = true): Promise<Backend> {
  const seen: Backend['seen'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/health/ready') {
        res.writeHead(ready ? 200 : 503).end();
        return;
      }
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/hang-up') {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'x-served-by': name }).end(name);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; servedBy: string | null; body: string; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, servedBy: response.headers.get('x-served-by'), body: await response.text(), headers: response.headers };
}

describe('LoadBalancer', () => {
  const servers: Server[] = [];
  let balancer: LoadBalancer | undefined;

  afterEach(async () => {
    await balancer?.close();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  async function start(...backends: Backend[]): Promise<LoadBalancer> {
    servers.push(...backends.map((b) => b.server));
    const iam = await backend('iam');
    servers.push(iam.server);
    balancer = await LoadBalancer.listen({ port: 0 });
    balancer.setTargets(
      backends.map((b, i) => ({ name: `gateway-${i + 1}`, url: b.url })),
      { name: 'iam', url: iam.url },
    );
    return balancer;
  }

  it('takes turns over the ready replicas, adds X-Forwarded-For, and sends the OAuth endpoints to IAM', async () => {
    const lb = await start(await backend('a'), await backend('b'), await backend('never-ready', false));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lb.healthy()).toEqual(['gateway-1', 'gateway-2']);
    const servedBy = [];
    for (let i = 0; i < 4; i++) servedBy.push((await get(`${lb.url}/v1/x`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).servedBy);
    expect(servedBy.sort()).toEqual(['a', 'a', 'b', 'b']);
    expect((await get(`${lb.url}/oauth2/token`, { method: 'POST', body: 'grant_type=client_credentials' })).servedBy).toBe('iam');
    expect((await get(`${lb.url}/metrics`)).status).toBe(404);
  });

  it('forwards the body and the client address after any X-Forwarded-For it was given', async () => {
    const only = await backend('a');
    const lb = await start(only);
    await lb.waitUntilAllHealthy();
    expect((await get(`${lb.url}/v1/echo`, { method: 'POST', body: '{"a":1}', headers: { 'x-forwarded-for': '203.0.113.9', 'content-type': 'application/json' } })).status).toBe(200);
    expect(only.seen[0]).toMatchObject({ body: '{"a":1}', headers: { 'x-forwarded-for': '203.0.113.9, 127.0.0.1', 'x-forwarded-proto': 'http' } });
  });

  it('moves to the next replica when a connection is refused, and takes the refusing one out', async () => {
    const live = await backend('live');
    const dying = await backend('dying');
    const lb = await start(live, dying);
    await lb.waitUntilAllHealthy();
    // Gone between two health checks: still in the rotation, its port now refuses connections.
    dying.server.closeAllConnections();
    await new Promise((resolve) => dying.server.close(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lb.healthy()).toEqual(['gateway-1', 'gateway-2']);
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(`${lb.url}/v1/x`)));
    expect(answers.map((a) => a.servedBy)).toEqual(Array(6).fill('live'));
    expect(lb.healthy()).toEqual(['gateway-1']);
  });

  it('answers 502 naming the replica, without retrying, when it fails after the request was sent', async () => {
    const first = await backend('first');
    const second = await backend('second');
    const lb = await start(first, second);
    await lb.waitUntilAllHealthy();
    const answer = await get(`${lb.url}/hang-up`, { headers: { 'x-request-id': 'b7f6c1a2-3c4d-4e5f-8a9b-0c1d2e3f4a5b' } });
    expect(answer.status).toBe(502);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 502, code: 'upstream_unavailable', requestId: 'b7f6c1a2-3c4d-4e5f-8a9b-0c1d2e3f4a5b' });
    expect(first.seen.length + second.seen.length).toBe(1);
    expect(answer.headers.get('x-lgsp-balancer-replica')).toBe(first.seen.length === 1 ? 'gateway-1' : 'gateway-2');
  });

  it('answers 503 when no replica is ready', async () => {
    const lb = await start(await backend('down', false));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const answer = await get(`${lb.url}/v1/x`);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'upstream_unavailable' });
  });
});
