import type { Server } from 'node:http';
import { join } from 'node:path';

import type { LgspConfig } from '@lgsp/config';
import type { ChangeChannel, LgspDatabase } from '@lgsp/data';
import { createHttpApp, listenOn, publicListenerOptions } from '@lgsp/http';
import { PostgresOutboxSink, SegmentFileSink } from '@lgsp/ledger-client';
import type { TransactionSink } from '@lgsp/ledger-client';
import type { Logger } from '@lgsp/observability';
import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Counter, Gauge } from 'prom-client';

import { PendingSecurityEvents } from './data-plane/pending-security-events';
import { GatewayModule } from './gateway.module';
import { createThrottleRuntime } from './policies/throttle/throttle-runtime.util';
import { certificateExpirySourcesOf, createCertificateExpiryMetrics } from './observability/certificate-expiry.metrics';
import { UpstreamPools } from './proxy/upstream-pools';
import { RegistryState } from './registry/registry-state.service';
import { lastKnownGoodFiles } from './last-known-good/last-known-good-file.util';
import { databaseRegistrySource, registryChangesOf } from './registry/database-registry.source';
import type { JwksSource } from './tokens/jwks-state.service';
import type { RevocationSource } from './tokens/revocation-set.service';

export interface GatewayAppOptions {
  readonly config: LgspConfig;
  readonly logger: Logger;
  readonly database: LgspDatabase;
  /** Registry and IAM changes (the routing table reloads on `registry` and `resync`); the caller closes it. */
  readonly changes: ChangeChannel;
  /** The signing keys tokens are verified with: the database, or IAM's JWKS when LGSP_IAM_URL is set. */
  readonly jwks: JwksSource;
  readonly revocations: RevocationSource;
  /** Other modules served on the same public listener (the IAM endpoints, on `npm start`). */
  readonly imports?: readonly DynamicModule[];
  readonly tracingEnabled: boolean;
  readonly withProcessMetrics?: boolean;
  /** The ledger outbox, when the caller shares it with other modules (IAM); opened here otherwise. Closed by close(). */
  readonly sink?: TransactionSink;
  /** Date.now() unless a test sets the time. */
  readonly clock?: () => number;
}

export interface GatewayApp {
  readonly app: NestFastifyApplication;
  readonly sink: TransactionSink;
  /** Listens on LGSP_HOST:LGSP_PORT; resolves to the URL actually bound. */
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish (up to LGSP_SHUTDOWN_GRACE_MS), then makes every record durable. */
  close(): Promise<void>;
}

export function outboxDir(config: LgspConfig): string {
  return join(config.dataDir, 'ledger', 'outbox');
}

/**
 * The gateway's ledger outbox (LGSP_LEDGER_OUTBOX): segment files under the data dir, or a
 * partition of its own in DATABASE_URL's `ledger_outbox` table, so a replica keeps nothing that
 * must outlive it.
 */
export function openOutbox(config: LgspConfig, logger: Logger, dir: string = outboxDir(config)): Promise<TransactionSink> {
  if (config.ledger.outbox === 'postgres' && config.databaseUrl !== undefined) {
    return PostgresOutboxSink.open({
      databaseUrl: config.databaseUrl,
      service: 'gateway',
      flushIntervalMs: config.ledger.flushIntervalMs,
      logger,
      onError: (error) => logger.error({ err: error, event: { action: 'ledger-outbox-write-failed' } }, 'ledger outbox unreachable; records are kept in memory (oldest dropped past the bound) and retried'),
    });
  }
  return SegmentFileSink.open({
    dir,
    flushIntervalMs: config.ledger.flushIntervalMs,
    segmentBytes: config.ledger.segmentBytes,
    onError: (error) => logger.error({ err: error, event: { action: 'ledger-outbox-write-failed' } }, 'ledger outbox write failed; the batch is kept and retried'),
  });
}

/** The outbox's backlog in this process, read when /metrics is scraped. */
function outboxMetrics(sink: TransactionSink): [Gauge, Counter] {
  let dropped = 0;
  const pending = new Gauge({
    name: 'lgsp_ledger_outbox_pending',
    help: 'Transaction records accepted by this process and not yet durable in the ledger outbox',
    registers: [],
    collect() {
      this.set(sink.pending);
    },
  });
  const droppedTotal = new Counter({
    name: 'lgsp_ledger_outbox_dropped_total',
    help: 'Transaction records dropped (oldest first) because the shared outbox stayed unreachable past its in-memory bound',
    registers: [],
    collect() {
      const now = sink instanceof PostgresOutboxSink ? sink.dropped : 0;
      if (now > dropped) this.inc(now - dropped);
      dropped = now;
    },
  });
  return [pending, droppedTotal];
}

/**
 * Closes the app: the listening socket at once (a request arriving meanwhile on a kept-alive
 * connection is answered 503 with Connection: close), requests in flight finish, then the rest of
 * the app. A kept-alive connection is closed as soon as its last answer is out (the server only
 * closes those idle when it starts closing), so the process does not wait on clients' keep-alive.
 * Past the grace period the connections still open are cut, so the shutdown goes on to flush the
 * outbox rather than wait on a stuck client or provider.
 */
async function closeWithin(app: NestFastifyApplication, graceMs: number, logger: Logger): Promise<void> {
  const server = app.getHttpServer() as Server;
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  idle.unref();
  const timer = setTimeout(() => {
    logger.warn({ event: { action: 'shutdown-grace-over' } }, `requests still in flight after ${graceMs} ms: closing their connections`);
    server.closeAllConnections();
  }, graceMs);
  try {
    await app.close();
  } finally {
    clearInterval(idle);
    clearTimeout(timer);
  }
}

export async function createGatewayApp(options: GatewayAppOptions): Promise<GatewayApp> {
  const { config, logger } = options;
  // TLS files unreadable or mismatched stop start-up before anything is opened.
  const listener = await publicListenerOptions(config);
  const sink = options.sink ?? (await openOutbox(config, logger));
  const alerts = new PendingSecurityEvents();
  const throttle = createThrottleRuntime(config.throttling, {
    onDegraded: (event) => {
      alerts.raise('throttle-degraded');
      logger.warn({ event: { action: 'throttle-degraded', kind: 'alert', reason: event.reason } }, `throttling store unreachable: each of ${event.replicas} replicas now admits its share of every limit`);
    },
    onRecovered: (event) => {
      alerts.raise('throttle-recovered');
      logger.info({ event: { action: 'throttle-recovered', duration: event.outageMs * 1e6 }, lgsp: { localDecisions: event.localDecisions } }, 'throttling store reachable again: limits are shared');
    },
  });
  @Module({
    imports: [
      GatewayModule.forRoot({
        config,
        logger,
        registry: databaseRegistrySource(options.database.db, registryChangesOf(options.changes), { cacheFile: lastKnownGoodFiles(config).registry, logger }),
        changes: options.changes,
        jwks: options.jwks,
        revocations: options.revocations,
        sink,
        throttle,
        alerts,
        tracingEnabled: options.tracingEnabled,
        clock: options.clock,
      }),
      ...(options.imports ?? []),
    ],
  })
  class GatewayAppModule {}
  const { app, metrics } = await createHttpApp(GatewayAppModule, {
    service: 'lgsp-gateway',
    logger,
    bodyLimit: config.maxBodyBytes,
    withProcessMetrics: options.withProcessMetrics ?? true,
    ...listener,
  });
  for (const metric of [throttle.metrics.degraded, throttle.metrics.outages, throttle.metrics.localDecisions]) metrics.registry.registerMetric(metric);
  for (const metric of app.get(UpstreamPools).metrics.all) metrics.registry.registerMetric(metric);
  for (const metric of outboxMetrics(sink)) metrics.registry.registerMetric(metric);
  // Before listen(): the registry loads then, and its first snapshot's certificates with it.
  for (const metric of createCertificateExpiryMetrics(certificateExpirySourcesOf(options.config, app.get(RegistryState), options.logger)).all) metrics.registry.registerMetric(metric);
  return {
    app,
    sink,
    listen: () => listenOn(app, config.host, config.port),
    async close() {
      await closeWithin(app, config.shutdownGraceMs, logger);
      await sink.close();
    },
  };
}
