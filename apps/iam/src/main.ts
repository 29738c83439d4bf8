import { config, telemetry } from './instrument';

import { join } from 'node:path';

import { resolveKeyEncryptionKey, resolveSecretPepper } from '@lgsp/config';
import { migrateDatabase, openChangeChannel, openDatabase } from '@lgsp/data';
import { onShutdownSignal, runMain } from '@lgsp/http';
import { createIamApp } from '@lgsp/iam';
import { PostgresOutboxSink, SegmentFileSink } from '@lgsp/ledger-client';
import type { TransactionSink } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';

const logger = createLogger({ service: 'lgsp-iam', level: config.logLevel });

/**
 * The IAM service on its own: the OAuth endpoints on LGSP_HOST:LGSP_PORT, the registry and IAM
 * tables in PostgreSQL (or PGlite alone on one machine), announcements on the change channel,
 * its transactions in its own ledger outbox.
 */
runMain(async () => {
  for (const warning of config.warnings) logger.warn(warning);
  const pepper = await resolveSecretPepper(config);
  const keyEncryptionKey = await resolveKeyEncryptionKey(config);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await migrateDatabase(database);
  const changes = await openChangeChannel({
    url: config.databaseUrl,
    onError: (error) => logger.warn({ err: error, event: { action: 'change-channel-error' } }, 'change channel connection failed; reconnecting'),
  });
  const onError = (error: unknown): void => logger.error({ err: error, event: { action: 'ledger-outbox-write-failed' } }, 'ledger outbox write failed; the batch is kept and retried');
  // LGSP_LEDGER_OUTBOX=postgres: a partition of DATABASE_URL's ledger_outbox, so the process keeps nothing that must outlive it.
  const sink: TransactionSink =
    config.ledger.outbox === 'postgres' && config.databaseUrl !== undefined
      ? await PostgresOutboxSink.open({ databaseUrl: config.databaseUrl, service: 'iam', flushIntervalMs: config.ledger.flushIntervalMs, logger, onError })
      : await SegmentFileSink.open({ dir: join(config.dataDir, 'ledger', 'iam-outbox'), flushIntervalMs: config.ledger.flushIntervalMs, segmentBytes: config.ledger.segmentBytes, onError });
  const iam = await createIamApp({ config, logger, database, changes, sink, pepper, keyEncryptionKey });
  const url = await iam.listen();
  logger.info({ event: { action: 'listening' }, url: { full: url }, lgsp: { issuer: config.publicUrl } }, `LGSP IAM listening on ${url}`);
  onShutdownSignal(async () => {
    await iam.close();
    await sink.close();
    await changes.close();
    await database.close();
    await telemetry.shutdown();
  }, logger);
}, logger);
