import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

declare module 'fastify' {
  interface FastifyRequest {
    /** Route label for metrics when the fastify route is a catch-all (the gateway sets `/v1/documents`). */
    metricsRoute?: string;
  }
}

export interface HttpMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'service' | 'route' | 'method' | 'status'>;
  readonly duration: Histogram<'service' | 'route' | 'method' | 'status'>;
}

/**
 * One registry per app (several apps may share a process on the embedded default); process metrics
 * are added to the registry that asks for them, once per process.
 */
export function createHttpMetrics(options: { withProcessMetrics: boolean }): HttpMetrics {
  const registry = new Registry();
  if (options.withProcessMetrics) collectDefaultMetrics({ register: registry });
  const labelNames = ['service', 'route', 'method', 'status'] as const;
  return {
    registry,
    requests: new Counter({ name: 'lgsp_http_requests_total', help: 'HTTP requests answered, by route and status', labelNames, registers: [registry] }),
    duration: new Histogram({
      name: 'lgsp_http_request_duration_seconds',
      help: 'Time from receipt to the end of the response, by route and status',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.4, 0.8, 2, 5, 10],
      registers: [registry],
    }),
  };
}

/** Counts and times every response of the fastify instance and serves GET /metrics. */
export function installHttpMetrics(fastify: FastifyInstance, metrics: HttpMetrics, service: string): void {
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const labels = {
      service,
      route: request.metricsRoute ?? request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status: String(reply.statusCode),
    };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
  fastify.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
