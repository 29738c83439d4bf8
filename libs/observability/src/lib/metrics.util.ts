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
  // The labelled children, made once per route × method × status: prom-client hashes a label object
  // on every call otherwise, which was the largest single cost of a proxied request after the I/O.
  const series = new Map<string, { requests: { inc(): void }; duration: { observe(value: number): void } }>();
  const MAX_SERIES = 10_000;
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = request.metricsRoute ?? request.routeOptions.url ?? 'unmatched';
    const key = `${route}\u0000${request.method}\u0000${reply.statusCode}`;
    let child = series.get(key);
    if (child === undefined) {
      const labels = { service, route, method: request.method, status: String(reply.statusCode) };
      child = { requests: metrics.requests.labels(labels), duration: metrics.duration.labels(labels) };
      // Routes are the gateway's API versions, not raw paths, so this stays small; the bound is a guard.
      if (series.size < MAX_SERIES) series.set(key, child);
    }
    child.requests.inc();
    child.duration.observe(reply.elapsedTime / 1000);
    done();
  });
  fastify.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
