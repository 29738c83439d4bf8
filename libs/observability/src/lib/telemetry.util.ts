/**
 * OpenTelemetry, started before the app's modules are loaded (each app's `instrument.ts` is its
 * first import). Only http, undici and fastify are instrumented: the auto-instrumentation bundle
 * cost this gateway 40% of its throughput here. Sampling is parent-based with a ratio for new traces
 * (OTEL_TRACES_SAMPLER_ARG); the SDK is not even loaded when no endpoint is configured.
 */
export interface Telemetry {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

export function startTelemetry(serviceName: string, otlpEndpoint: string | undefined, sampleRatio: number): Telemetry {
  if (otlpEndpoint === undefined) return { enabled: false, shutdown: async () => undefined };
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const { FastifyInstrumentation } = require('@opentelemetry/instrumentation-fastify') as typeof import('@opentelemetry/instrumentation-fastify');
  const { ParentBasedSampler, TraceIdRatioBasedSampler } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    traceExporter: new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces` }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }),
    instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation(), new FastifyInstrumentation()],
  });
  sdk.start();
  return { enabled: true, shutdown: () => sdk.shutdown() };
}
