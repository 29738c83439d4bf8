import { config, telemetry } from './instrument';

import { resolveSecretPepper } from '@lgsp/config';
import { migrateDatabase, openChangeChannel, openDatabase } from '@lgsp/data';
import { onShutdownSignal, runMain } from '@lgsp/http';
import { createLogger } from '@lgsp/observability';
import { createRegistryApp, loadTrustAnchors } from '@lgsp/registry';

const logger = createLogger({ service: 'lgsp-registry', level: config.logLevel });

/**
 * The registry on its own: the admin API on LGSP_ADMIN_HOST:LGSP_ADMIN_PORT over the shared
 * PostgreSQL (or PGlite alone on one machine), every change announced on the change channel.
 */
runMain(async () => {
  for (const warning of config.warnings) logger.warn(warning);
  const trustAnchors = await loadTrustAnchors(config);
  if (trustAnchors === undefined) logger.warn('LGSP_TRUST_ANCHORS is not set: consumer certificate uploads are refused');
  const pepper = await resolveSecretPepper(config);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await migrateDatabase(database);
  const changes = await openChangeChannel({
    url: config.databaseUrl,
    onError: (error) => logger.warn({ err: error, event: { action: 'change-channel-error' } }, 'change channel connection failed; reconnecting'),
  });
  const registry = await createRegistryApp({ config, logger, database, changes, pepper, trustAnchors });
  const url = await registry.listen();
  logger.info({ event: { action: 'listening' }, url: { full: url } }, `LGSP registry admin API listening on ${url}`);
  onShutdownSignal(async () => {
    await registry.close();
    await changes.close();
    await database.close();
    await telemetry.shutdown();
  }, logger);
}, logger);
