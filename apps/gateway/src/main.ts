import { config, telemetry } from './instrument';

import { join } from 'node:path';

import { migrateDatabase, openChangeChannel, openDatabase } from '@lgsp/data';
import { createGatewayApp, databaseJwksSource, databaseRevocationSource, remoteJwksSource } from '@lgsp/gateway-core';
import { onShutdownSignal, runMain } from '@lgsp/http';
import { createLogger } from '@lgsp/observability';

const logger = createLogger({ service: 'lgsp-gateway', level: config.logLevel });

/**
 * The gateway on its own: reads the registry, the revoked tokens and (unless LGSP_IAM_URL points at
 * a split-out IAM) the signing keys from PostgreSQL, or PGlite alone on one machine; hears changes
 * over LISTEN/NOTIFY on PostgreSQL.
 */
runMain(async () => {
  for (const warning of config.warnings) logger.warn(warning);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await migrateDatabase(database);
  const changes = await openChangeChannel({
    url: config.databaseUrl,
    onError: (error) => logger.error({ err: error, event: { action: 'change-channel-error' } }, 'registry change channel error; reconnecting'),
  });
  const jwks =
    config.iamUrl === undefined
      ? databaseJwksSource(database.db)
      : remoteJwksSource({ iamUrl: config.iamUrl, cacheFile: join(config.dataDir, 'jwks.json'), logger });
  const gateway = await createGatewayApp({
    config,
    logger,
    database,
    changes,
    jwks,
    revocations: databaseRevocationSource(database.db),
    tracingEnabled: telemetry.enabled,
  });
  const url = await gateway.listen();
  logger.info({ event: { action: 'listening' }, url: { full: url } }, `LGSP gateway listening on ${url}`);
  onShutdownSignal(async () => {
    await gateway.close();
    await changes.close();
    await database.close();
    await telemetry.shutdown();
  }, logger);
}, logger);
