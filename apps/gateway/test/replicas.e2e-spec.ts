import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { applyDeclarativeConfig, migrateDatabase, openDatabase } from '@lgsp/data';
import type { LgspDatabase } from '@lgsp/data';
import type { SpyUpstream, TestDatabase, TsProcess } from '@lgsp/testing';
import { createTestDatabase, startSpyUpstream, startTsProcess } from '@lgsp/testing';
import { request } from 'undici';

import { insertSigningKey, mintAccessToken } from './test-tokens.util';

const PUBLIC_URL = 'https://api.lgsp.test';
const READS = 30;
const WRITES = 10;

interface Replica {
  process: TsProcess;
  url: string;
}

/** `apps/gateway` as its own process, once it has said where it listens. */
async function startReplica(env: Record<string, string>): Promise<Replica> {
  const replica = startTsProcess('apps/gateway/src/main.ts', env);
  const [, url] = await replica.waitFor(/LGSP gateway listening on (http:\/\/[^"\s]+)/);
  return { process: replica, url };
}

async function ready(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await request(`${url}/health/ready`);
    await res.body.dump();
    if (res.statusCode === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}

/**
 * Three gateway processes on one PostgreSQL registry and one Redis, as a cluster runs them behind a
 * load balancer: the consumer's budget is shared, so requests spread over all three replicas admit
 * exactly the limit in total.
 */
describe('three gateway replicas sharing PostgreSQL and Redis', () => {
  let testDb: TestDatabase;
  let database: LgspDatabase;
  let upstream: SpyUpstream;
  let dir: string;
  let token: string;
  const replicas: Replica[] = [];
  // A consumer of its own per run: its throttle keys in the machine's Redis are this run's alone.
  const consumerId = `replicas-${randomUUID()}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-replicas-'));
    upstream = await startSpyUpstream();
    testDb = await createTestDatabase();
    database = await openDatabase({ url: testDb.url });
    await migrateDatabase(database);
    const pepper = 'replica-pepper-replica-pepper-replica-pepper';
    await applyDeclarativeConfig(
      database.db,
      {
        source: 'replicas test',
        admins: [],
        consumers: [
          { id: consumerId, name: 'Replica test', credentials: [], certificates: [], limits: { readPerMinute: READS, writePerMinute: WRITES }, subscriptions: [{ api: 'directory', version: 'v1', environments: ['sandbox'] }] },
        ],
        apis: [
          {
            domain: 'directory',
            version: 'v1',
            upstreams: { sandbox: upstream.url, production: upstream.url },
            openapi: {
              openapi: '3.0.3',
              info: { title: 'directory', version: '1' },
              paths: { '/organisations': { get: { responses: { '200': { description: 'ok' } } } }, '/echo': { post: { requestBody: { content: { 'application/json': {} } }, responses: { '201': { description: 'echoed' } } } } },
            },
            classification: 'noi-bo',
            status: 'published',
          },
        ],
      },
      { pepper },
    );
    const key = await insertSigningKey(database.db);
    token = await mintAccessToken(PUBLIC_URL, key, { sub: consumerId, client_id: 'replicas-sandbox' });
    for (let i = 0; i < 3; i++) {
      replicas.push(
        await startReplica({
          LGSP_PORT: '0',
          LGSP_PUBLIC_URL: PUBLIC_URL,
          LGSP_DATA_DIR: join(dir, `replica-${i}`),
          DATABASE_URL: testDb.url,
          LGSP_SECRET_PEPPER: pepper,
          LGSP_KEY_ENCRYPTION_KEY: 'replica-kek-replica-kek-replica-kek-0001',
          REDIS_URL: 'redis://127.0.0.1:6379',
          LGSP_GATEWAY_REPLICAS: '3',
          // The write budget is under test, not signatures (signature.e2e-spec covers the shared replay guard).
          LGSP_REQUIRE_SIGNED_WRITES: 'false',
          // Exactness is under test, not the fallback: a generous deadline so a stall on this
          // 2-core machine is not taken for an outage.
          LGSP_REDIS_TIMEOUT_MS: '1000',
          LGSP_LOG_LEVEL: 'info',
        }),
      );
    }
    await Promise.all(replicas.map((r) => ready(r.url)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.process.stop()));
    await database?.close();
    await testDb?.drop();
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function burst(method: 'GET' | 'POST', count: number): Promise<number[]> {
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const res = await request(`${replicas[i % replicas.length].url}/v1/directory/${method === 'GET' ? 'organisations' : 'echo'}`, {
          method,
          headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: method === 'POST' ? '{}' : undefined,
        });
        await res.body.dump();
        return res.statusCode;
      }),
    );
  }

  it('admits exactly the read limit across the three, and refuses the rest with 429', async () => {
    const statuses = await burst('GET', READS * 3);
    expect(statuses.filter((s) => s === 200)).toHaveLength(READS);
    expect(statuses.filter((s) => s === 429)).toHaveLength(READS * 2);
  }, 60_000);

  it('admits exactly the write limit across the three, from a budget of its own', async () => {
    const statuses = await burst('POST', WRITES * 3);
    expect(statuses.filter((s) => s === 201)).toHaveLength(WRITES);
    expect(statuses.filter((s) => s === 429)).toHaveLength(WRITES * 2);
  }, 60_000);
});
