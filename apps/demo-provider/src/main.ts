import { config, telemetry } from './instrument';

import { startDemoProvider } from '@lgsp/demo-provider-core';
import { onShutdownSignal, runMain } from '@lgsp/http';
import { createLogger } from '@lgsp/observability';

const logger = createLogger({ service: 'lgsp-demo-provider', level: config.logLevel });

/** The demo provider on its own, as a provider unit would run its data service. */
runMain(async () => {
  for (const warning of config.warnings) logger.warn(warning);
  const provider = await startDemoProvider({
    port: config.demoProviderPort,
    host: config.host,
    logger,
    bodyLimit: config.maxBodyBytes,
    withProcessMetrics: true,
  });
  logger.info({ event: { action: 'listening' }, url: { full: provider.url } }, `demo provider listening on ${provider.url}`);
  process.stdout.write(`demo-provider listening on ${provider.url}\n`);
  onShutdownSignal(async () => {
    await provider.close();
    await telemetry.shutdown();
  }, logger);
}, logger);
