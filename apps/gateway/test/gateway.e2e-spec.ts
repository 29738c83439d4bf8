import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { configFrom } from '@lgsp/config';
import type { TransactionRecord } from '@lgsp/contracts';
import type { LgspDatabase } from '@lgsp/data';
import { applyDeclarativeConfig, loadDeclarativeFile, migrateDatabase, openDatabase } from '@lgsp/data';
import type { GatewayApp } from '@lgsp/gateway-core';
import { createGatewayApp, outboxDir } from '@lgsp/gateway-core';
import { readSegments } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';
import type { SpyUpstream, TestDatabase } from '@lgsp/testing';
import { closedPort, createTestDatabase, startSpyUpstream } from '@lgsp/testing';
import { request } from 'undici';

const DEMO_OPENAPI = resolve(__dirname, '../../../openapi/demo-provider.yaml');


function capture(lines: string[]) {
  return { write: (line: string) => void lines.push(line) };
}

/**
 * The gateway as its app composes it, on each registry store it runs on: the real PostgreSQL and
 * PGlite. The registry comes from a declarative file; the provider records what it received (the
 * real demo provider behind the gateway is the standalone suite's).
 */
describe.each(['postgres', 'pglite'] as const)('gateway end to end on %s', (kind) => {
  let dir: string;
  let testDb: TestDatabase | undefined;
  let database: LgspDatabase;
  let demo: SpyUpstream;
  let gateway: GatewayApp;
  let base: string;
  const gatewayLines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `lgsp-gateway-${kind}-`));
    demo = await startSpyUpstream();
    const file = join(dir, 'lgsp.yaml');
    await writeFile(
      file,
      [
        'format_version: "1"',
        'apis:',
        '  - { domain: directory, version: v1, upstream: "' + demo.url + '", openapi_file: "' + DEMO_OPENAPI + '", classification: noi-bo }',
        '  - { domain: down, version: v1, upstream: "http://127.0.0.1:' + (await closedPort()) + '", openapi_file: "' + DEMO_OPENAPI + '", classification: noi-bo }',
      ].join('\n'),
    );
    if (kind === 'postgres') {
      testDb = await createTestDatabase();
      database = await openDatabase({ url: testDb.url });
    } else {
      database = await openDatabase({ dataDir: dir });
    }
    await migrateDatabase(database);
    await applyDeclarativeConfig(database.db, await loadDeclarativeFile(file), { pepper: 'test-pepper-test-pepper-test-pepper!' });
    const config = configFrom({ LGSP_PORT: '0', LGSP_DATA_DIR: dir });
    gateway = await createGatewayApp({
      config,
      logger: createLogger({ service: 'lgsp-gateway', level: 'info', destination: capture(gatewayLines) }),
      database,
      tracingEnabled: false,
      withProcessMetrics: false,
    });
    base = await gateway.listen();
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await demo?.close();
    await database?.close();
    await testDb?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function records(): Promise<TransactionRecord[]> {
    await gateway.sink.flush();
    return (await readSegments(outboxDir(configFrom({ LGSP_DATA_DIR: dir })))).records;
  }

  it('carries one request id from the consumer to the provider, the log, the response and the ledger', async () => {
    const requestId = randomUUID();
    const body = JSON.stringify({ organisationId: 'thanh-uy-ha-noi', title: 'Quyết định về công tác cán bộ' });
    const res = await request(`${base}/v1/directory/documents/echo`, {
      method: 'POST',
      headers: { 'x-request-id': requestId, 'content-type': 'application/json', authorization: 'Bearer canary-token' },
      body,
    });
    expect(res.statusCode).toBe(201);
    expect(await res.body.text()).toBe(body);
    expect(res.headers['x-request-id']).toBe(requestId);
    const transactionId = res.headers['x-lgsp-transaction-id'] as string;

    const seen = demo.seen.at(-1)!;
    expect(seen.url).toBe('/documents/echo');
    expect(seen.headers).toMatchObject({ 'x-request-id': requestId, 'x-lgsp-transaction-id': transactionId, traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/) });
    expect(seen.headers.authorization).toBeUndefined();
    expect(gatewayLines.map((l) => JSON.parse(l)).find((l) => l.message === 'transaction' && l.transaction.id === transactionId)).toMatchObject({ 'http.request.id': requestId });
    expect((await records()).find((r) => r.transactionId === transactionId)).toMatchObject({ requestId, status: 201, method: 'POST', apiDomain: 'directory' });
  });

  it("returns the provider's own problem answers unchanged", async () => {
    const res = await request(`${base}/v1/directory/documents/problem`, { headers: { 'x-request-id': randomUUID() } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(await res.body.json()).toEqual({ type: 'about:blank', title: 'No such record', status: 404 });
  });

  it('refuses a request without X-Request-ID and an unreachable provider, recording both, and keeps serving', async () => {
    const missing = await request(`${base}/v1/directory/organisations`);
    expect(missing.statusCode).toBe(400);
    expect(await missing.body.json()).toMatchObject({ code: 'request_id_invalid' });
    const down = await request(`${base}/v1/down/organisations`, { headers: { 'x-request-id': randomUUID() } });
    expect(down.statusCode).toBe(502);
    expect(await down.body.json()).toMatchObject({ code: 'upstream_unavailable' });
    const recorded = await records();
    expect(recorded.find((r) => r.transactionId === missing.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 400, errorCode: 'request_id_invalid' });
    expect(recorded.find((r) => r.transactionId === down.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 502, errorCode: 'upstream_unavailable' });
    const after = await request(`${base}/v1/directory/organisations`, { headers: { 'x-request-id': randomUUID() } });
    expect(after.statusCode).toBe(200);
    await after.body.dump();
  });

  it('is ready once it has a routing table', async () => {
    const res = await request(`${base}/health/ready`);
    expect(await res.body.json()).toEqual({ status: 'ready', routes: 2 });
  });
});
