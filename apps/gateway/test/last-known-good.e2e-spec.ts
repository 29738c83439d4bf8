import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { iamRevokedTokens, migrateDatabase, openDatabase } from '@lgsp/data';
import type { LgspDatabase } from '@lgsp/data';
import type { SpyUpstream, TestDatabase } from '@lgsp/testing';
import { TcpRelay, closedPort, createTestDatabase, startSpyUpstream } from '@lgsp/testing';
import { request } from 'undici';

import type { GatewayProcess } from './gateway-process.util';
import { PUBLIC_URL, readiness, readinessUntil, seedDirectory, startGatewayProcess } from './gateway-process.util';
import { insertSigningKey, jtiOf, mintAccessToken } from './test-tokens.util';

/** Waits (bounded) until the file exists; the gateway writes its copies in the background. */
async function written(file: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (exists) return readFile(file, 'utf8');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${file} was never written`);
}

/**
 * The gateway process keeps its registry snapshot, signing keys and revoked tokens on local disk,
 * and a gateway restarted while PostgreSQL cannot be reached serves from them: tokens still verify,
 * revoked ones are still refused, /health/ready stays 200 and says `last-known-good` — until the
 * database answers again. A gateway that never had a snapshot is not ready.
 */
describe('a gateway serving its last known good state while PostgreSQL is unreachable', () => {
  let testDb: TestDatabase;
  let database: LgspDatabase;
  let upstream: SpyUpstream;
  let relay: TcpRelay;
  let dir: string;
  let token: string;
  let revoked: string;
  const running: GatewayProcess[] = [];

  async function start(env: Record<string, string>): Promise<GatewayProcess> {
    const gateway = await startGatewayProcess(env);
    running.push(gateway);
    return gateway;
  }

  async function call(gateway: GatewayProcess, path: string, bearer = token) {
    const res = await request(`${gateway.url}${path}`, { headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${bearer}` } });
    const text = await res.body.text();
    return { status: res.statusCode, text };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-lkg-'));
    upstream = await startSpyUpstream();
    testDb = await createTestDatabase();
    database = await openDatabase({ url: testDb.url });
    await migrateDatabase(database);
    const consumerId = await seedDirectory(database.db, upstream.url);
    const key = await insertSigningKey(database.db);
    token = await mintAccessToken(PUBLIC_URL, key, { sub: consumerId, client_id: 'lkg-sandbox' });
    revoked = await mintAccessToken(PUBLIC_URL, key, { sub: consumerId, client_id: 'lkg-sandbox' });
    await database.db.insert(iamRevokedTokens).values({ jti: jtiOf(revoked), clientId: 'lkg-sandbox', expiresAt: new Date(Date.now() + 3_600_000) });
    const server = new URL(testDb.url);
    relay = await TcpRelay.start({ host: server.hostname, port: Number(server.port || 5432) });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(running.map((g) => g.process.stop('SIGKILL')));
    await relay?.down();
    await database?.close();
    await testDb?.drop();
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps serving from disk, verifies tokens with the keys kept, and reports last-known-good', async () => {
    const env = { LGSP_DATA_DIR: join(dir, 'replica'), DATABASE_URL: relay.urlFor(testDb.url) };
    const live = await start(env);
    expect(await readinessUntil(live.url, (r) => r.status === 200)).toMatchObject({ status: 200, body: { status: 'ready', snapshot: 'live', routes: 1 } });
    expect(await call(live, '/v1/directory/organisations')).toMatchObject({ status: 200 });
    expect(await call(live, '/v1/directory/organisations', revoked)).toMatchObject({ status: 401 });
    const snapshot = JSON.parse(await written(join(dir, 'replica/gateway/registry-snapshot.json')));
    expect(snapshot.apiVersions).toEqual([expect.objectContaining({ domain: 'directory', version: 'v1' })]);
    expect(JSON.parse(await written(join(dir, 'replica/gateway/jwks.json'))).keys).toHaveLength(1);
    expect(JSON.parse(await written(join(dir, 'replica/gateway/revocations.json')))).toEqual([expect.objectContaining({ jti: jtiOf(revoked) })]);
    expect(await live.process.stop()).toBe(0);

    await relay.down();
    const restarted = await start(env);
    const ready = await readiness(restarted.url);
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', snapshot: 'last-known-good', routes: 1, signingKeys: 1 } });
    const before = upstream.seen.length;
    const served = await call(restarted, '/v1/directory/organisations');
    expect(served).toMatchObject({ status: 200 });
    expect(JSON.parse(served.text)).toEqual({ path: '/organisations' });
    expect(upstream.seen.length).toBe(before + 1);
    expect(await call(restarted, '/v1/directory/organisations', revoked)).toMatchObject({ status: 401 });
    expect(await call(restarted, '/v1/elsewhere/organisations')).toMatchObject({ status: 404 });
    // The outage is logged once, however many attempts it takes.
    const failures = () => restarted.process.stdout().split('\n').filter((line) => line.includes('"registry-load-failed"'));
    expect(failures()).toHaveLength(1);
    expect(failures()[0]).toContain('serving the last known good routing table');

    await relay.up();
    expect(await readinessUntil(restarted.url, (r) => r.body.snapshot === 'live')).toMatchObject({ status: 200, body: { snapshot: 'live', routes: 1 } });
    expect(restarted.process.stdout()).toContain('"registry-reachable"');
    expect(await call(restarted, '/v1/directory/organisations')).toMatchObject({ status: 200 });

    // An outage while running: noticed when the change channel drops, served through, recovered from.
    await relay.down();
    expect(await readinessUntil(restarted.url, (r) => r.body.snapshot === 'last-known-good')).toMatchObject({ status: 200, body: { snapshot: 'last-known-good' } });
    expect(await call(restarted, '/v1/directory/organisations')).toMatchObject({ status: 200 });
    await relay.up();
    expect(await readinessUntil(restarted.url, (r) => r.body.snapshot === 'live')).toMatchObject({ status: 200, body: { snapshot: 'live' } });
    expect(await restarted.process.stop()).toBe(0);
  }, 120_000);

  it('is not ready when PostgreSQL is unreachable and no snapshot was ever kept', async () => {
    const gateway = await start({ LGSP_DATA_DIR: join(dir, 'fresh'), DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/lgsp` });
    expect(await readiness(gateway.url)).toMatchObject({ status: 503, body: { status: 'starting', snapshot: 'none', routes: 0 } });
    expect(await call(gateway, '/v1/directory/organisations')).toMatchObject({ status: 401 });
    expect(await gateway.process.stop()).toBe(0);
  }, 60_000);
});
