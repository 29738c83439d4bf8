import { config, telemetry } from './instrument';

import { resolveKeyEncryptionKey, resolveSecretPepper } from '@lgsp/config';
import { applyDeclarativeConfig, loadDeclarativeFile, migrateDatabase, openChangeChannel, openDatabase } from '@lgsp/data';
import { startDemoProvider } from '@lgsp/demo-provider-core';
import { createGatewayApp, databaseJwksSource, databaseRevocationSource, openOutbox } from '@lgsp/gateway-core';
import { IamModule } from '@lgsp/iam';
import { onShutdownSignal, runMain } from '@lgsp/http';
import { LedgerService } from '@lgsp/ledger';
import { createLogger } from '@lgsp/observability';
import { createRegistryApp, loadTrustAnchors } from '@lgsp/registry';
import { loadPlatformSigningKey } from '@lgsp/signature';

import { DEMO_CLIENT_ID, demoRegistry } from './demo-registry';

const logger = createLogger({ service: 'lgsp', level: config.logLevel });

/**
 * `npm start`: the whole platform in one process on the embedded defaults — PGlite registry under
 * the data dir, local ledger outbox, the OAuth server beside the data plane on the public listener,
 * the demo provider registered — and the URLs it serves.
 */
runMain(async () => {
  for (const warning of config.warnings) logger.warn(warning);
  // A bad file stops start-up before anything is opened or listening.
  const declared = config.declarativeConfig === undefined ? undefined : await loadDeclarativeFile(config.declarativeConfig);
  const trustAnchors = await loadTrustAnchors(config);
  const pepper = await resolveSecretPepper(config);
  const keyEncryptionKey = await resolveKeyEncryptionKey(config);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await migrateDatabase(database);

  const demo = await startDemoProvider({ port: config.demoProviderPort, host: '127.0.0.1', logger: logger.child({ service: { name: 'lgsp-demo-provider' } }) });
  let demoSecret: string | undefined;
  if (declared !== undefined) {
    const result = await applyDeclarativeConfig(database.db, declared, { pepper });
    logger.info({ event: { action: 'declarative-config-applied' }, file: { path: config.declarativeConfig }, lgsp: { result } }, 'declarative configuration applied');
  } else {
    const { declarative, clientSecret } = await demoRegistry(config, demo.url);
    await applyDeclarativeConfig(database.db, declarative, { pepper });
    demoSecret = clientSecret;
  }

  // Loaded (or generated into the data dir) before the gateway loads it too: one key signs responses,
  // chain heads and statements.
  const signingKey = await loadPlatformSigningKey({ keyFile: config.signatures.signingKeyFile, certFile: config.signatures.signingCertFile, dataDir: config.dataDir });

  // One channel and one outbox for the gateway and IAM: a revocation or a new signing key reaches
  // the data plane through the channel, and token requests are transactions like any other.
  const changes = await openChangeChannel({ url: config.databaseUrl, onError: (error) => logger.error({ err: error }, 'change channel error') });
  const sink = await openOutbox(config, logger);
  const gateway = await createGatewayApp({
    config,
    logger,
    database,
    changes,
    sink,
    jwks: databaseJwksSource(database.db),
    revocations: databaseRevocationSource(database.db),
    imports: [IamModule.forRoot({ config, logger, database, changes, sink, pepper, keyEncryptionKey })],
    tracingEnabled: telemetry.enabled,
  });
  const publicUrl = await gateway.listen();
  // The ledger ingests the gateway's and IAM's outboxes into its own tables (or Elasticsearch) and
  // answers SOC search and reconciliation beside the registry's admin API.
  const ledger = new LedgerService({ config, logger: logger.child({ service: { name: 'lgsp-ledger' } }), database, changes, signingKey });
  // The registry's admin API shares the channel: a suspension or a block reaches the data plane at once.
  const admin = await createRegistryApp({ config, logger, database, changes, pepper, trustAnchors, withProcessMetrics: false, imports: [ledger.apiModule()] });
  ledger.registerMetrics(admin.metrics.registry);
  await ledger.start();
  const adminUrl = await admin.listen();

  logger.info({ event: { action: 'started' }, lgsp: { publicUrl, adminUrl, demoProviderUrl: demo.url } }, 'LGSP started');
  const lines = [
    '',
    'LGSP is running (embedded default: one process, PGlite registry, local ledger).',
    `  public listener   ${publicUrl}   (data plane /{version}/{domain}/{resource}, OAuth /oauth2/token, /.well-known/oauth-authorization-server, /health/ready, /metrics)`,
    `  admin listener    ${adminUrl}   (registry admin API /admin/v1/..., openapi/admin.yaml; SOC search and reconciliation /admin/v1/ledger/..., openapi/ledger.yaml)`,
    `  demo provider     ${demo.url}   (registered as directory v1)`,
    `  data dir          ${config.dataDir}   (ledger outboxes in ledger/, the ledger's store in the registry database${config.ledger.elasticsearch === undefined ? '' : ' and Elasticsearch'})`,
  ];
  if (demoSecret !== undefined) {
    lines.push(`  demo consumer     tu-ha-noi.qlcb: client_id ${DEMO_CLIENT_ID}, client_secret ${demoSecret} (sandbox)`);
    lines.push(
      '',
      'Try:',
      `  TOKEN=$(curl -s -u ${DEMO_CLIENT_ID}:${demoSecret} -d grant_type=client_credentials ${publicUrl}/oauth2/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
      `  curl -i -H "Authorization: Bearer $TOKEN" -H "X-Request-ID: $(cat /proc/sys/kernel/random/uuid)" ${publicUrl}/v1/directory/organisations`,
      '',
    );
  }
  process.stdout.write(lines.join('\n') + '\n');

  onShutdownSignal(
    async () => {
      await gateway.close();
      // After the gateway: its outbox is flushed, so the ledger's last pass takes everything.
      await ledger.stop({ drain: true });
      await admin.close();
      await demo.close();
      await changes.close();
      await database.close();
      await telemetry.shutdown();
    },
    logger,
    // In-flight requests get LGSP_SHUTDOWN_GRACE_MS, then the outbox its flush.
    config.shutdownGraceMs + 5000,
  );
}, logger);
