// First import of main.ts: configuration is validated and OpenTelemetry started before Nest,
// Fastify or undici are loaded, so their instrumentation can take hold.
import { loadConfigOrExit } from '@lgsp/config';
import { startTelemetry } from '@lgsp/observability';

export const config = loadConfigOrExit();
export const telemetry = startTelemetry('lgsp-ledger', config.otlpEndpoint, config.traceSampleRatio);
