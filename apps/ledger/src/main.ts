import { config, telemetry } from './instrument';

import { migrateDatabase, openChangeChannel, openDatabase } from '@lgsp/data';
import { onShutdownSignal, runMain } from '@lgsp/http';
import { createLedgerApp } from '@lgsp/ledger';
import { createLogger } from '@lgsp/observability';
import { loadPlatformSigningKey } from '@lgsp/signature';

const logger = createLogger({ service: 'lgsp-ledger', level: config.logLevel });

/**
 * The ledger on its own: ingests the outboxes (the segment directories of this host's data dir and
 * LGSP_LEDGER_OUTBOX_DIRS; the shared PostgreSQL outbox with LGSP_LEDGER_OUTBOX=postgres) into
 * Elasticsearch (ELASTICSEARCH_URL) or its own tables, chains and signs them, forwards security
 * events to LGSP_SYSLOG_URL, and serves the SOC and reconciliation API on LGSP_ADMIN_HOST:LGSP_ADMIN_PORT.
 */
runMain(async () => {
  for (const warning of config.warnings) logger.warn(warning);
  const signingKey = await loadPlatformSigningKey({ keyFile: config.signatures.signingKeyFile, certFile: config.signatures.signingCertFile, dataDir: config.dataDir });
  if (signingKey.generated) logger.warn({ event: { action: 'signing-key-generated' } }, 'LGSP_SIGNING_KEY is not set: chain heads and statements are signed with a key generated into the data dir; every replica and the gateways must share one key');
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await migrateDatabase(database);
  const changes = await openChangeChannel({
    url: config.databaseUrl,
    onError: (error) => logger.warn({ err: error, event: { action: 'change-channel-error' } }, 'change channel connection failed; reconnecting'),
  });
  const ledger = await createLedgerApp({ config, logger, database, changes, signingKey });
  const url = await ledger.listen();
  logger.info(
    { event: { action: 'listening' }, url: { full: url }, lgsp: { store: config.ledger.elasticsearch === undefined ? 'sql' : 'elasticsearch', outbox: config.ledger.outbox } },
    `LGSP ledger listening on ${url}`,
  );
  onShutdownSignal(async () => {
    await ledger.close();
    await changes.close();
    await database.close();
    await telemetry.shutdown();
  }, logger);
}, logger);
