import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { configFrom } from '@lgsp/config';
import type { LgspConfig } from '@lgsp/config';
import type { TransactionRecord } from '@lgsp/contracts';
import { InProcessChangeChannel, applyDeclarativeConfig, migrateDatabase, openDatabase } from '@lgsp/data';
import type { LgspDatabase } from '@lgsp/data';
import { readSegments } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';
import { createTestDatabase } from '@lgsp/testing';
import type { TestDatabase } from '@lgsp/testing';

import { createGatewayApp, outboxDir } from '../src/lib/gateway.app';
import type { GatewayApp } from '../src/lib/gateway.app';
import { TestTokenMinter, testSigningKey } from './test-tokens.util';
import type { TestSigningKey } from './test-tokens.util';

/** A provider that answers at once, except /hold, which it keeps until released. */
export interface HoldingUpstream {
  readonly url: string;
  /** Resolves once `count` requests are being held. */
  held(count: number): Promise<void>;
  /** Answers every held request. */
  release(): void;
  close(): Promise<void>;
}

export async function startHoldingUpstream(): Promise<HoldingUpstream> {
  const holding: ServerResponse[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      if ((req.url ?? '').startsWith('/hold')) {
        holding.push(res);
        for (const waiter of waiters.filter((w) => holding.length >= w.count)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held: (count) => (holding.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    release() {
      for (const res of holding.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end('{"held":true}');
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ok = { responses: { '200': { description: 'ok' } } };

/** The provider's document: plain reads, a held read, and one operation of each restricted classification. */
const RECORDS_OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'Records', version: '1.0.0' },
  paths: {
    '/items': { get: ok },
    '/hold': { get: ok },
    '/dossiers/{id}': { get: { ...ok, 'x-lgsp-classification': 'mat' } },
    '/cipher/{id}': { get: { ...ok, 'x-lgsp-classification': 'toi-mat' } },
  },
};

export const CONSUMER = 'tu-ha-noi.qlcb';

/** A PostgreSQL registry with one API (`records` v1 on the upstream) the consumer is subscribed to in both environments. */
export interface TestRegistry {
  readonly database: LgspDatabase;
  readonly key: TestSigningKey;
  close(): Promise<void>;
}

export async function startTestRegistry(upstream: string): Promise<TestRegistry> {
  const testDb: TestDatabase = await createTestDatabase();
  const database = await openDatabase({ url: testDb.url });
  await migrateDatabase(database);
  await applyDeclarativeConfig(
    database.db,
    {
      source: 'guard test',
      admins: [],
      apis: [{ domain: 'records', version: 'v1', upstreams: { sandbox: upstream, production: upstream }, openapi: RECORDS_OPENAPI, classification: 'noi-bo', status: 'published' }],
      consumers: [
        {
          id: CONSUMER,
          name: CONSUMER,
          credentials: [],
          certificates: [],
          subscriptions: [{ api: 'records', version: 'v1', environments: ['sandbox', 'production'] }],
        },
      ],
    },
    { pepper: 'guard-test-pepper-guard-test-pepper-guard' },
  );
  const key = await testSigningKey();
  return {
    database,
    key,
    async close() {
      await database.close();
      await testDb.drop();
    },
  };
}

export interface TestGateway {
  readonly gateway: GatewayApp;
  readonly config: LgspConfig;
  /** What listen() answered: http:// or https://. */
  readonly base: string;
  readonly token: string;
  records(): Promise<TransactionRecord[]>;
  close(): Promise<void>;
}

/** The gateway as its app composes it, on the registry, configured by the variables given. */
export async function startTestGateway(registry: TestRegistry, env: Readonly<Record<string, string>>, clock?: () => number): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'lgsp-guard-'));
  const config = configFrom({ LGSP_PORT: '0', LGSP_DATA_DIR: dir, LGSP_PUBLIC_URL: 'https://api.lgsp.test', ...env });
  const changes = new InProcessChangeChannel();
  const gateway = await createGatewayApp({
    config,
    logger: createLogger({ service: 'lgsp-gateway', level: 'silent' }),
    database: registry.database,
    changes,
    jwks: { load: async () => ({ keys: [registry.key.publicJwk] }) },
    revocations: { loadActive: async () => [] },
    tracingEnabled: false,
    withProcessMetrics: false,
    clock,
  });
  const base = await gateway.listen();
  const token = await new TestTokenMinter(config.publicUrl).mint(registry.key, { claims: { sub: CONSUMER } });
  return {
    gateway,
    config,
    base,
    token,
    async records() {
      await gateway.sink.flush();
      return (await readSegments(outboxDir(config))).records;
    },
    async close() {
      await gateway.close();
      await changes.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
