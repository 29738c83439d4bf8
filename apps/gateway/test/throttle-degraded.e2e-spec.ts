import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { configFrom } from '@lgsp/config';
import type { LgspDatabase } from '@lgsp/data';
import { InProcessChangeChannel, applyDeclarativeConfig, migrateDatabase, openDatabase } from '@lgsp/data';
import type { GatewayApp } from '@lgsp/gateway-core';
import { createGatewayApp, databaseJwksSource, databaseRevocationSource, outboxDir } from '@lgsp/gateway-core';
import { readSegments } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';
import type { SpyUpstream } from '@lgsp/testing';
import { closedPort, startSpyUpstream } from '@lgsp/testing';
import { request } from 'undici';

import { insertSigningKey, mintAccessToken } from './test-tokens.util';

/**
 * A gateway whose Redis does not answer: it starts and serves under its local share of the limits,
 * and the outage reaches the SOC as a security event on the ledger, once.
 */
describe('gateway with its throttling store unreachable', () => {
  let dir: string;
  let database: LgspDatabase;
  let upstream: SpyUpstream;
  let gateway: GatewayApp;
  let base: string;
  let token: string;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-degraded-'));
    upstream = await startSpyUpstream();
    database = await openDatabase({ inMemory: true });
    await migrateDatabase(database);
    await applyDeclarativeConfig(
      database.db,
      {
        source: 'test',
        admins: [],
        consumers: [{ id: 'tu-ha-noi.qlcb', name: 'Test consumer', credentials: [], certificates: [], subscriptions: [{ api: 'directory', version: 'v1', environments: ['sandbox'] }] }],
        apis: [
          {
            domain: 'directory',
            version: 'v1',
            upstreams: { sandbox: upstream.url, production: upstream.url },
            openapi: { openapi: '3.0.3', info: { title: 't', version: '1' }, paths: { '/organisations': { get: { responses: { '200': { description: 'ok' } } } } } },
            classification: 'noi-bo',
            status: 'published',
          },
        ],
      },
      { pepper: 'degraded-pepper-degraded-pepper-degraded' },
    );
    // Three replicas configured, 6 reads a minute: alone, this replica admits 2.
    const config = configFrom({ LGSP_PORT: '0', LGSP_DATA_DIR: dir, REDIS_URL: `redis://127.0.0.1:${await closedPort()}`, LGSP_GATEWAY_REPLICAS: '3', LGSP_READ_LIMIT_PER_MINUTE: '6' });
    const key = await insertSigningKey(database.db);
    token = await mintAccessToken(config.publicUrl, key);
    gateway = await createGatewayApp({
      config,
      logger: createLogger({ service: 'lgsp-gateway', level: 'info', destination: { write: (l: string) => void lines.push(l) } }),
      database,
      changes: new InProcessChangeChannel(),
      jwks: databaseJwksSource(database.db),
      revocations: databaseRevocationSource(database.db),
      tracingEnabled: false,
      withProcessMetrics: false,
    });
    base = await gateway.listen();
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await database?.close();
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves under the local share, records the outage once, and exposes it in /metrics', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(`${base}/v1/directory/organisations`, { headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${token}` } });
      await res.body.dump();
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([200, 200, 429]);
    await gateway.sink.flush();
    const { records } = await readSegments(outboxDir(configFrom({ LGSP_DATA_DIR: dir })));
    expect(records.filter((r) => r.securityEvent === 'throttle-degraded')).toHaveLength(1);
    expect(lines.map((l) => JSON.parse(l)).filter((l) => l.event?.action === 'throttle-degraded')).toHaveLength(1);
    const metrics = await (await request(`${base}/metrics`)).body.text();
    expect(metrics).toMatch(/^lgsp_throttle_redis_degraded 1$/m);
  });
});
