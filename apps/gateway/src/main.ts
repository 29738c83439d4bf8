import { config, telemetry } from './instrument';

import { migrateDatabase, openDatabase } from '@lgsp/data';
import { createGatewayApp } from '@lgsp/gateway-core';
import { onShutdownSignal, runMain } from '@lgsp/http';
import { createLogger } from '@lgsp/observability';

const logger = createLogger({ service: 'lgsp-gateway', level: config.logLevel });

/** The gateway on its own: reads the registry (PostgreSQL, or PGlite alone on one machine). */
runMain(async () => {
  for (const warning of config.warnings) logger.warn(warning);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await migrateDatabase(database);
  const gateway = await createGatewayApp({ config, logger, database, tracingEnabled: telemetry.enabled });
  const url = await gateway.listen();
  logger.info({ event: { action: 'listening' }, url: { full: url } }, `LGSP gateway listening on ${url}`);
  onShutdownSignal(async () => {
    await gateway.close();
    await database.close();
    await telemetry.shutdown();
  }, logger);
}, logger);
