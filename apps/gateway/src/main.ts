import { config, telemetry } from './instrument';

import { join } from 'node:path';

import { migrateDatabase, openChangeChannel, openDatabase } from '@lgsp/data';
import type { LgspDatabase } from '@lgsp/data';
import { RegistryState, createGatewayApp, databaseJwksSource, databaseRevocationSource, lastKnownGoodFiles, remoteJwksSource } from '@lgsp/gateway-core';
import { onShutdownSignal, runMain } from '@lgsp/http';
import { createLogger } from '@lgsp/observability';

const logger = createLogger({ service: 'lgsp-gateway', level: config.logLevel });

/** Time left after the grace period to flush the outbox and close the rest before the process gives up (exit 1). */
const SHUTDOWN_FLUSH_MS = 5000;
const MIGRATION_RETRY_MAX_MS = 30_000;

/**
 * The registry's database. PostgreSQL may be unreachable when a gateway (re)starts: it then opens
 * anyway, serves the last known good state kept on disk, and migrates once the server answers.
 * PGlite is local: a failure there is a failure to start.
 */
async function openRegistryDatabase(): Promise<{ database: LgspDatabase; stopMigrating: () => void }> {
  const url = config.databaseUrl;
  let database: LgspDatabase;
  try {
    database = await openDatabase({ url, dataDir: config.dataDir });
  } catch (error) {
    if (url === undefined) throw error;
    logger.error({ err: error, event: { action: 'database-unreachable' } }, 'PostgreSQL cannot be reached at start-up: serving the last known good state kept on disk until it can');
    database = await openDatabase({ url, lazy: true });
  }
  try {
    await migrateDatabase(database);
    return { database, stopMigrating: () => undefined };
  } catch (error) {
    if (url === undefined) throw error;
    return { database, stopMigrating: migrateWhenReachable(database) };
  }
}

/** Retries the migration with backoff until it succeeds; returns the stop. */
function migrateWhenReachable(database: LgspDatabase): () => void {
  let delay = 500;
  let timer: NodeJS.Timeout | undefined;
  const attempt = (): void => {
    timer = setTimeout(() => {
      migrateDatabase(database).then(
        () => logger.info({ event: { action: 'database-migrated' } }, 'PostgreSQL reachable: schema up to date'),
        () => {
          delay = Math.min(delay * 2, MIGRATION_RETRY_MAX_MS);
          attempt();
        },
      );
    }, delay);
    timer.unref();
  };
  attempt();
  return () => clearTimeout(timer);
}

/**
 * The gateway on its own: reads the registry, the revoked tokens and (unless LGSP_IAM_URL points at
 * a split-out IAM) the signing keys from PostgreSQL, or PGlite alone on one machine; hears changes
 * over LISTEN/NOTIFY on PostgreSQL. Each is kept on local disk too, and served from there while the
 * database or IAM cannot be reached.
 */
runMain(async () => {
  for (const warning of config.warnings) logger.warn(warning);
  const files = lastKnownGoodFiles(config);
  const { database, stopMigrating } = await openRegistryDatabase();
  // Set once the app exists; the channel may fail before.
  const onChannelError = { reloadRegistry: (): void => undefined };
  const changes = await openChangeChannel({
    url: config.databaseUrl,
    lazy: true,
    onError: (error) => {
      logger.error({ err: error, event: { action: 'change-channel-error' } }, 'registry change channel error; reconnecting');
      // The channel's connection fails first when PostgreSQL goes away: reload now, so the outage
      // shows (last-known-good, retries with backoff) rather than when the next change would come.
      onChannelError.reloadRegistry();
    },
  });
  const jwks =
    config.iamUrl === undefined
      ? databaseJwksSource(database.db, { cacheFile: files.jwks, logger })
      : remoteJwksSource({ iamUrl: config.iamUrl, cacheFile: join(config.dataDir, 'jwks.json'), logger });
  const gateway = await createGatewayApp({
    config,
    logger,
    database,
    changes,
    jwks,
    revocations: databaseRevocationSource(database.db, { cacheFile: files.revocations, logger }),
    tracingEnabled: telemetry.enabled,
  });
  const registry = gateway.app.get(RegistryState);
  onChannelError.reloadRegistry = () => void registry.refresh();
  const url = await gateway.listen();
  logger.info({ event: { action: 'listening' }, url: { full: url } }, `LGSP gateway listening on ${url}`);
  onShutdownSignal(
    async () => {
      stopMigrating();
      await gateway.close();
      await changes.close();
      await database.close();
      await telemetry.shutdown();
    },
    logger,
    config.shutdownGraceMs + SHUTDOWN_FLUSH_MS,
  );
}, logger);
