import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { configFrom } from '@lgsp/config';
import { InProcessChangeChannel, applyDeclarativeConfig, migrateDatabase, openDatabase } from '@lgsp/data';
import { createGatewayApp, databaseJwksSource, databaseRevocationSource, openOutbox } from '@lgsp/gateway-core';
import { IamModule } from '@lgsp/iam';
import { createLogger } from '@lgsp/observability';

import { BENCH_CLIENT_ID, BENCH_CLIENT_SECRET } from './bench-client.constant';
import { announce } from './ready.util';


/**
 * The LGSP gateway as `npm start` runs it — PGlite registry, IAM on the same listener, the full
 * read chain (request id, token check, routing to the operation, authorization, throttle, proxy),
 * ledger outbox, access log at info to a discarded stdout — with one API routed to the fixed
 * upstream and one consumer subscribed.
 * Limits are raised so the throttle and the guard decide on every request but admit (the load
 * comes from one address, far above the guard's per-IP default).
 */
async function main(): Promise<void> {
  const upstream = process.argv[2];
  const dataDir = await mkdtemp(join(tmpdir(), 'lgsp-bench-'));
  const config = configFrom({
    LGSP_PORT: '0',
    LGSP_DATA_DIR: dataDir,
    LGSP_LOG_LEVEL: process.argv[3] ?? 'info',
    LGSP_READ_LIMIT_PER_MINUTE: '10000000',
    LGSP_WRITE_LIMIT_PER_MINUTE: '10000000',
    LGSP_GUARD_PER_IP_PER_SECOND: '1000000',
  });
  const pepper = 'bench-pepper-bench-pepper-bench-pepper';
  const database = await openDatabase({ dataDir });
  await migrateDatabase(database);
  await applyDeclarativeConfig(
    database.db,
    {
      source: 'bench',
      admins: [],
      consumers: [
        {
          id: 'bench.consumer',
          name: 'Benchmark consumer',
          credentials: [{ clientId: BENCH_CLIENT_ID, secret: { plain: BENCH_CLIENT_SECRET }, environment: 'sandbox' }],
          certificates: [],
          subscriptions: [{ api: 'bench', version: 'v1', environments: ['sandbox'] }],
        },
      ],
      apis: [
        {
          domain: 'bench',
          version: 'v1',
          upstreams: { sandbox: upstream, production: upstream },
          openapi: { openapi: '3.0.3', info: { title: 'bench', version: '1' }, paths: { '/organisations': { get: { responses: { '200': { description: 'ok' } } } } } },
          classification: 'noi-bo',
          status: 'published',
        },
      ],
    },
    { pepper },
  );
  const logger = createLogger({ service: 'lgsp-gateway', level: config.logLevel });
  const changes = new InProcessChangeChannel();
  const sink = await openOutbox(config, logger);
  const gateway = await createGatewayApp({
    config,
    logger,
    database,
    changes,
    sink,
    jwks: databaseJwksSource(database.db),
    revocations: databaseRevocationSource(database.db),
    imports: [IamModule.forRoot({ config, logger, database, changes, sink, pepper, keyEncryptionKey: 'bench-key-encryption-key-bench-key-encryption' })],
    tracingEnabled: false,
  });
  await gateway.listen();
  announce(gateway.app.getHttpServer(), 'lgsp');
}

void main();
