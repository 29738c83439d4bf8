import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { configFrom } from '@lgsp/config';
import { applyDeclarativeConfig, migrateDatabase, openDatabase } from '@lgsp/data';
import { createGatewayApp } from '@lgsp/gateway-core';
import { createLogger } from '@lgsp/observability';

import { announce } from './ready.util';

/**
 * The LGSP gateway as `npm start` runs it (PGlite registry, local ledger outbox, access log at info
 * to a discarded stdout), with one API routed to the fixed upstream.
 */
async function main(): Promise<void> {
  const upstream = process.argv[2];
  const dataDir = await mkdtemp(join(tmpdir(), 'lgsp-bench-'));
  const config = configFrom({ LGSP_PORT: '0', LGSP_DATA_DIR: dataDir, LGSP_LOG_LEVEL: process.argv[3] ?? 'info' });
  const database = await openDatabase({ dataDir });
  await migrateDatabase(database);
  await applyDeclarativeConfig(
    database.db,
    {
      source: 'bench',
      consumers: [],
      admins: [],
      apis: [
        {
          domain: 'bench',
          version: 'v1',
          upstreams: { sandbox: upstream, production: upstream },
          openapi: { openapi: '3.0.3', info: { title: 'bench', version: '1' }, paths: {} },
          classification: 'noi-bo',
          status: 'published',
        },
      ],
    },
    { pepper: 'bench-pepper-bench-pepper-bench-pepper' },
  );
  const logger = createLogger({ service: 'lgsp-gateway', level: config.logLevel });
  const gateway = await createGatewayApp({ config, logger, database, tracingEnabled: false });
  await gateway.listen();
  announce(gateway.app.getHttpServer(), 'lgsp');
}

void main();
