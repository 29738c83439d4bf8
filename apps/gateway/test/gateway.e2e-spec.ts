import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { LgspConfig } from '@lgsp/config';
import { configFrom } from '@lgsp/config';
import type { TransactionRecord } from '@lgsp/contracts';
import type { ChangeChannel, LgspDatabase } from '@lgsp/data';
import {
  InProcessChangeChannel,
  PostgresChangeChannel,
  applyDeclarativeConfig,
  iamRevokedTokens,
  loadDeclarativeFile,
  migrateDatabase,
  openDatabase,
} from '@lgsp/data';
import type { GatewayApp } from '@lgsp/gateway-core';
import { createGatewayApp, databaseJwksSource, databaseRevocationSource, outboxDir } from '@lgsp/gateway-core';
import { readSegments } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';
import type { DynamicModule } from '@nestjs/common';
import { Controller, Get, Module } from '@nestjs/common';
import type { SpyUpstream, TestDatabase } from '@lgsp/testing';
import { closedPort, createTestDatabase, startSpyUpstream } from '@lgsp/testing';
import { request } from 'undici';

import { insertSigningKey, jtiOf, mintAccessToken } from './test-tokens.util';
import type { TestSigningKey } from './test-tokens.util';

const DEMO_OPENAPI = resolve(__dirname, '../../../openapi/demo-provider.yaml');

function capture(lines: string[]) {
  return { write: (line: string) => void lines.push(line) };
}

/** Stands in for the IAM module `npm start` composes onto the gateway's public listener. */
@Controller('oauth2')
class StubIamController {
  @Get('jwks')
  jwks(): { keys: unknown[] } {
    return { keys: [] };
  }
}

@Module({})
class StubIamModule {
  static forRoot(): DynamicModule {
    return { module: StubIamModule, controllers: [StubIamController] };
  }
}

/**
 * The gateway as its app composes it, on each registry store it runs on: the real PostgreSQL (with
 * LISTEN/NOTIFY between processes) and PGlite (in-process changes). The registry comes from a
 * declarative file, the signing keys and revocations from IAM's tables; the provider records what
 * it received (the real demo provider behind the gateway is the standalone suite's).
 */
describe.each(['postgres', 'pglite'] as const)('gateway end to end on %s', (kind) => {
  let dir: string;
  let testDb: TestDatabase | undefined;
  let database: LgspDatabase;
  let changes: ChangeChannel;
  /** Where "IAM" publishes: another process's channel on PostgreSQL, the same one in-process. */
  let iamChanges: ChangeChannel;
  let demo: SpyUpstream;
  let gateway: GatewayApp;
  let config: LgspConfig;
  let base: string;
  let key: TestSigningKey;
  let token: string;
  let revokedBeforeStart: string;
  const gatewayLines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `lgsp-gateway-${kind}-`));
    demo = await startSpyUpstream();
    const file = join(dir, 'lgsp.yaml');
    await writeFile(
      file,
      [
        'format_version: "1"',
        'consumers:',
        '  - { id: tu-ha-noi.qlcb, name: Hệ thống quản lý cán bộ, subscriptions: [{ api: directory, version: v1 }, { api: down, version: v1 }] }',
        '  - { id: bo-noi-vu.qlcb, name: Hệ thống quản lý cán bộ Bộ Nội vụ, subscriptions: [{ api: directory, version: v1 }] }',
        '  - { id: hung-yen.qlvb, name: Hệ thống quản lý văn bản, limits: { read_per_minute: 3, write_per_minute: 1 }, subscriptions: [{ api: directory, version: v1 }] }',
        'apis:',
        '  - { domain: directory, version: v1, upstream: "' + demo.url + '", openapi_file: "' + DEMO_OPENAPI + '", classification: noi-bo }',
        '  - { domain: down, version: v1, upstream: "http://127.0.0.1:' + (await closedPort()) + '", openapi_file: "' + DEMO_OPENAPI + '", classification: noi-bo }',
      ].join('\n'),
    );
    if (kind === 'postgres') {
      testDb = await createTestDatabase();
      database = await openDatabase({ url: testDb.url });
      changes = await PostgresChangeChannel.open({ url: testDb.url });
      iamChanges = await PostgresChangeChannel.open({ url: testDb.url });
    } else {
      database = await openDatabase({ dataDir: dir });
      changes = iamChanges = new InProcessChangeChannel();
    }
    await migrateDatabase(database);
    await applyDeclarativeConfig(database.db, await loadDeclarativeFile(file), { pepper: 'test-pepper-test-pepper-test-pepper!' });
    config = configFrom({ LGSP_PORT: '0', LGSP_DATA_DIR: dir, LGSP_REQUIRE_SIGNED_WRITES: 'false' });
    key = await insertSigningKey(database.db);
    token = await mintAccessToken(config.publicUrl, key);
    revokedBeforeStart = await mintAccessToken(config.publicUrl, key);
    await database.db.insert(iamRevokedTokens).values({ jti: jtiOf(revokedBeforeStart), clientId: 'demo-consumer', expiresAt: new Date(Date.now() + 3_600_000) });
    gateway = await createGatewayApp({
      config,
      logger: createLogger({ service: 'lgsp-gateway', level: 'info', destination: capture(gatewayLines) }),
      database,
      changes,
      jwks: databaseJwksSource(database.db),
      revocations: databaseRevocationSource(database.db),
      imports: [StubIamModule.forRoot()],
      tracingEnabled: false,
      withProcessMetrics: false,
    });
    base = await gateway.listen();
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await changes?.close();
    if (iamChanges !== changes) await iamChanges?.close();
    await demo?.close();
    await database?.close();
    await testDb?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function records(): Promise<TransactionRecord[]> {
    await gateway.sink.flush();
    return (await readSegments(outboxDir(config))).records;
  }

  /** Every byte the ledger outbox holds, as text: what a canary must never be found in. */
  async function outboxBytes(): Promise<string> {
    await gateway.sink.flush();
    const files = await readdir(outboxDir(config), { recursive: true, withFileTypes: true });
    const contents = await Promise.all(files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name), 'latin1')));
    return contents.join('\n');
  }

  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

  it('carries one request id from the consumer to the provider, the log, the response and the ledger, and never the token', async () => {
    const requestId = randomUUID();
    const documentId = randomUUID();
    const body = JSON.stringify({
      organisationId: 'thanh-uy-ha-noi',
      number: '125-QĐ/TU',
      title: 'Quyết định về công tác cán bộ',
      type: 'quyet-dinh',
      issuedAt: '2025-03-12',
      signer: 'Trần Minh Đức',
      classification: 'noi-bo',
    });
    // PUT /documents/{documentId} of the demo provider's document, valid by it (the gateway validates); the spy records the body.
    const res = await request(`${base}/v1/directory/documents/${documentId}`, {
      method: 'PUT',
      headers: { 'x-request-id': requestId, 'content-type': 'application/json', ...bearer(token) },
      body,
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ path: `/documents/${documentId}` });
    expect(res.headers['x-request-id']).toBe(requestId);
    const transactionId = res.headers['x-lgsp-transaction-id'] as string;

    const seen = demo.seen.at(-1)!;
    expect(seen.url).toBe(`/documents/${documentId}`);
    expect(seen.body.toString()).toBe(body);
    expect(seen.headers).toMatchObject({ 'x-request-id': requestId, 'x-lgsp-transaction-id': transactionId, traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/) });
    expect(seen.headers.authorization).toBeUndefined();
    expect(JSON.stringify(seen.headers)).not.toContain(token.split('.')[2]);
    expect(gatewayLines.map((l) => JSON.parse(l)).find((l) => l.message === 'transaction' && l.transaction.id === transactionId)).toMatchObject({ 'http.request.id': requestId });
    expect((await records()).find((r) => r.transactionId === transactionId)).toMatchObject({
      requestId,
      status: 200,
      method: 'PUT',
      apiDomain: 'directory',
      environment: 'sandbox',
      consumerId: 'tu-ha-noi.qlcb',
      clientId: 'demo-consumer',
    });

    // Canary: no piece of the token anywhere in the outbox files or the log lines.
    const [header, payload, signature] = token.split('.');
    const outbox = await outboxBytes();
    const log = gatewayLines.join('\n');
    expect(outbox).toContain(transactionId);
    expect(outbox).toContain('tu-ha-noi.qlcb');
    for (const piece of [token, header, payload, signature, jtiOf(token)]) {
      expect(outbox).not.toContain(piece);
      expect(log).not.toContain(piece);
    }
  });

  it("throttles a consumer at the limit the registry sets for it: 429 rate_limited with Retry-After", async () => {
    const limited = bearer(await mintAccessToken(config.publicUrl, key, { sub: 'hung-yen.qlvb', client_id: 'hy-sandbox' }));
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof request>> | undefined;
    for (let i = 0; i < 4; i++) {
      last = await request(`${base}/v1/directory/organisations`, { headers: { 'x-request-id': randomUUID(), ...limited } });
      statuses.push(last.statusCode);
      if (i < 3) await last.body.dump();
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.headers['ratelimit-policy']).toBe('"read";q=3;w=60, "write";q=1;w=60');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(55);
    expect(await last!.body.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    expect((await records()).find((r) => r.transactionId === last!.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 429, errorCode: 'rate_limited', consumerId: 'hung-yen.qlvb' });
    // Another consumer's budget is untouched.
    const other = await request(`${base}/v1/directory/organisations`, { headers: { 'x-request-id': randomUUID(), ...bearer(token) } });
    expect(other.statusCode).toBe(200);
    await other.body.dump();
  });

  it("returns the provider's own problem answers unchanged", async () => {
    // An organisationId the demo document accepts, and a path the spy answers with its own problem.
    const res = await request(`${base}/v1/directory/organisations/problem`, { headers: { 'x-request-id': randomUUID(), ...bearer(token) } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(await res.body.json()).toEqual({ type: 'about:blank', title: 'No such record', status: 404 });
  });

  it('refuses a request without X-Request-ID and an unreachable provider, recording both, and keeps serving', async () => {
    const missing = await request(`${base}/v1/directory/organisations`, { headers: bearer(token) });
    expect(missing.statusCode).toBe(400);
    expect(await missing.body.json()).toMatchObject({ code: 'request_id_invalid' });
    const down = await request(`${base}/v1/down/organisations`, { headers: { 'x-request-id': randomUUID(), ...bearer(token) } });
    expect(down.statusCode).toBe(502);
    expect(await down.body.json()).toMatchObject({ code: 'upstream_unavailable' });
    const recorded = await records();
    expect(recorded.find((r) => r.transactionId === missing.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 400, errorCode: 'request_id_invalid' });
    expect(recorded.find((r) => r.transactionId === down.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 502, errorCode: 'upstream_unavailable' });
    const after = await request(`${base}/v1/directory/organisations`, { headers: { 'x-request-id': randomUUID(), ...bearer(token) } });
    expect(after.statusCode).toBe(200);
    await after.body.dump();
  });

  it('refuses a missing token and one revoked before the gateway started with 401 invalid_token and a Bearer challenge', async () => {
    for (const [headers, detail] of [
      [{}, /No access token/],
      [bearer(revokedBeforeStart), /revoked/],
    ] as const) {
      const before = demo.seen.length;
      const res = await request(`${base}/v1/directory/organisations`, { headers: { 'x-request-id': randomUUID(), ...headers } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"$/);
      expect(await res.body.json()).toMatchObject({ code: 'invalid_token', detail: expect.stringMatching(detail) });
      expect(demo.seen.length).toBe(before);
      expect((await records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 401, errorCode: 'invalid_token' });
    }
  });

  it('refuses a token within 2 s of its revocation being published by another process', async () => {
    const revoked = await mintAccessToken(config.publicUrl, key, { sub: 'bo-noi-vu.qlcb', client_id: 'bnv-sandbox' });
    const call = () => request(`${base}/v1/directory/organisations`, { headers: { 'x-request-id': randomUUID(), ...bearer(revoked) } });
    const accepted = await call();
    expect(accepted.statusCode).toBe(200);
    await accepted.body.dump();

    // What IAM's revocation endpoint does: the row, then the change on the channel.
    const exp = Math.floor(Date.now() / 1000) + 3600;
    await database.db.insert(iamRevokedTokens).values({ jti: jtiOf(revoked), clientId: 'bnv-sandbox', expiresAt: new Date(exp * 1000) });
    const published = performance.now();
    await iamChanges.publish({ kind: 'token-revoked', jti: jtiOf(revoked), exp });
    let refusedAfterMs: number | undefined;
    while (performance.now() - published < 5000) {
      const res = await call();
      const body = (await res.body.json()) as { code?: string };
      if (res.statusCode === 401 && body.code === 'invalid_token') {
        refusedAfterMs = performance.now() - published;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(refusedAfterMs).toBeDefined();
    expect(refusedAfterMs!).toBeLessThan(2000);
    // The token still reaches nothing, and the other consumer's token is untouched.
    expect((await call()).statusCode).toBe(401);
    const other = await request(`${base}/v1/directory/organisations`, { headers: { 'x-request-id': randomUUID(), ...bearer(token) } });
    expect(other.statusCode).toBe(200);
    await other.body.dump();
  });

  it("accepts tokens of a key IAM has just added, with or without the channel's word", async () => {
    const next = await insertSigningKey(database.db);
    // No change published: the unknown kid makes the gateway reload the keys once.
    const unannounced = await request(`${base}/v1/directory/organisations`, { headers: { 'x-request-id': randomUUID(), ...bearer(await mintAccessToken(config.publicUrl, next)) } });
    expect(unannounced.statusCode).toBe(200);
    await unannounced.body.dump();
    const announced = await insertSigningKey(database.db);
    await iamChanges.publish({ kind: 'signing-keys' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const signer of [key, next, announced]) {
      const res = await request(`${base}/v1/directory/organisations`, { headers: { 'x-request-id': randomUUID(), ...bearer(await mintAccessToken(config.publicUrl, signer)) } });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
  });

  it('serves the modules it is given on the same listener, beside the data plane and without a token', async () => {
    const res = await request(`${base}/oauth2/jwks`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ keys: [] });
  });

  it('is ready once it has a routing table, signing keys and the revoked tokens', async () => {
    const res = await request(`${base}/health/ready`);
    expect(await res.body.json()).toEqual({ status: 'ready', snapshot: 'live', routes: 2, signingKeys: expect.any(Number) });
  });
});
