import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { migrateDatabase, openDatabase } from '@lgsp/data';
import type { LgspDatabase } from '@lgsp/data';
import { readSegments } from '@lgsp/ledger-client';
import type { TestDatabase } from '@lgsp/testing';
import { createTestDatabase } from '@lgsp/testing';
import { request } from 'undici';

import type { GatewayProcess } from './gateway-process.util';
import { PUBLIC_URL, readinessUntil, seedDirectory, startGatewayProcess } from './gateway-process.util';
import { insertSigningKey, mintAccessToken } from './test-tokens.util';

/** A provider that holds every /slow request until the test releases it. */
class HoldingUpstream {
  readonly held: ServerResponse[] = [];
  url = '';
  private waiters: (() => void)[] = [];
  private readonly server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.url?.endsWith('/slow')) {
      this.hold(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });

  static async start(): Promise<HoldingUpstream> {
    const upstream = new HoldingUpstream();
    await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
    upstream.url = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`;
    return upstream;
  }

  private hold(res: ServerResponse): void {
    this.held.push(res);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once `count` requests are held. */
  async holding(count: number): Promise<void> {
    while (this.held.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(body: string): void {
    for (const res of this.held.splice(0)) res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Opens (and at once drops) a TCP connection: 'accepted', or 'refused' once nothing listens. */
function knock(port: number): Promise<'accepted' | 'refused'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', () => resolve('refused'));
  });
}

/** Knocks (at most 200 times, 25 ms apart) until the listener refuses. */
async function refusedSoon(port: number): Promise<'accepted' | 'refused'> {
  let last = await knock(port);
  for (let i = 0; i < 200 && last === 'accepted'; i++) {
    await new Promise((r) => setTimeout(r, 25));
    last = await knock(port);
  }
  return last;
}

/**
 * SIGTERM: the gateway process stops accepting connections at once, lets the requests in flight
 * finish (within LGSP_SHUTDOWN_GRACE_MS), flushes the ledger outbox, and exits 0.
 */
describe('graceful shutdown of the gateway process', () => {
  let testDb: TestDatabase;
  let database: LgspDatabase;
  let upstream: HoldingUpstream;
  let dir: string;
  let token: string;
  const running: GatewayProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-shutdown-'));
    upstream = await HoldingUpstream.start();
    testDb = await createTestDatabase();
    database = await openDatabase({ url: testDb.url });
    await migrateDatabase(database);
    const consumerId = await seedDirectory(database.db, upstream.url);
    token = await mintAccessToken(PUBLIC_URL, await insertSigningKey(database.db), { sub: consumerId, client_id: 'shutdown-sandbox' });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(running.map((g) => g.process.stop('SIGKILL')));
    await database?.close();
    await testDb?.drop();
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(name: string, graceMs: number): Promise<{ gateway: GatewayProcess; dataDir: string; port: number }> {
    const dataDir = join(dir, name);
    // A long flush interval: whatever reaches the outbox segment got there by the shutdown's flush.
    const gateway = await startGatewayProcess({ LGSP_DATA_DIR: dataDir, DATABASE_URL: testDb.url, LGSP_SHUTDOWN_GRACE_MS: String(graceMs), LGSP_LEDGER_FLUSH_INTERVAL_MS: '60000' });
    running.push(gateway);
    expect((await readinessUntil(gateway.url, (r) => r.status === 200)).status).toBe(200);
    return { gateway, dataDir, port: Number(new URL(gateway.url).port) };
  }

  function slowCall(url: string) {
    const requestId = randomUUID();
    const answer = request(`${url}/v1/directory/slow`, { headers: { 'x-request-id': requestId, authorization: `Bearer ${token}` } }).then(async (res) => ({
      status: res.statusCode,
      transactionId: res.headers['x-lgsp-transaction-id'] as string,
      body: await res.body.text(),
    }));
    return { requestId, answer };
  }

  it('finishes the request in flight, refuses new connections, flushes its record and exits 0', async () => {
    const { gateway, dataDir, port } = await start('graceful', 60_000);
    const inFlight = slowCall(gateway.url);
    let settled = false;
    void inFlight.answer.finally(() => (settled = true));
    await upstream.holding(1);

    gateway.process.child.kill('SIGTERM');
    expect(await refusedSoon(port)).toBe('refused');
    // Not accepting, yet still at work on the request it had.
    expect(gateway.process.child.exitCode).toBeNull();
    expect(settled).toBe(false);

    upstream.release('answered after SIGTERM');
    const answer = await inFlight.answer;
    expect(answer).toMatchObject({ status: 200, body: 'answered after SIGTERM' });
    expect(await gateway.process.exited()).toBe(0);
    expect(gateway.process.stdout()).not.toContain('shutdown-grace-over');

    const { records } = await readSegments(join(dataDir, 'ledger', 'outbox'));
    expect(records.find((r) => r.transactionId === answer.transactionId)).toMatchObject({ requestId: inFlight.requestId, status: 200, path: '/v1/directory/slow' });
  }, 60_000);

  it('cuts a request still in flight when the grace period is over, and still flushes and exits 0', async () => {
    const { gateway, dataDir } = await start('bounded', 300);
    const answered = await request(`${gateway.url}/v1/directory/organisations`, { headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${token}` } });
    await answered.body.dump();
    const served = answered.headers['x-lgsp-transaction-id'];
    const inFlight = slowCall(gateway.url);
    const outcome = inFlight.answer.then(
      () => 'answered',
      () => 'cut',
    );
    await upstream.holding(1);

    gateway.process.child.kill('SIGTERM');
    expect(await gateway.process.exited()).toBe(0);
    expect(await outcome).toBe('cut');
    expect(gateway.process.stdout()).toContain('shutdown-grace-over');
    upstream.release('too late');

    const { records } = await readSegments(join(dataDir, 'ledger', 'outbox'));
    expect(records.find((r) => r.transactionId === served)).toMatchObject({ status: 200, path: '/v1/directory/organisations' });
  }, 60_000);
});
