import { adminListenerOptions, createHttpApp, listenOn } from '@lgsp/http';
import { Controller, Get, HttpStatus, Inject, Module, Res } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';

import { LedgerService } from './ledger.service';
import type { LedgerServiceOptions } from './ledger.service';

export interface LedgerApp {
  readonly app: NestFastifyApplication;
  readonly service: LedgerService;
  /** Listens on LGSP_ADMIN_HOST:LGSP_ADMIN_PORT; resolves to the URL actually bound. */
  listen(): Promise<string>;
  /** Stops ingesting (the batch in flight finishes, last heads signed), then closes the listener. */
  close(): Promise<void>;
}

/** Failed passes in a row after which the ledger says it is not ready (its store or outbox is down). */
const NOT_READY_AFTER_FAILURES = 3;

@Controller('health')
class LedgerHealthController {
  constructor(@Inject(LedgerService) private readonly service: LedgerService) {}

  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply): object {
    const metrics = this.service.ingestor.metrics;
    const ready = metrics.consecutiveFailures < NOT_READY_AFTER_FAILURES;
    if (!ready) reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ready ? 'ok' : 'unavailable',
      store: ready ? 'reachable' : 'failing',
      backlog: { records: metrics.lagRecords, bytes: metrics.lagBytes },
      lastShippedAt: metrics.lastShippedAt ?? null,
      lastHeadAt: metrics.lastHeadAt ?? null,
    };
  }
}

/** apps/ledger: the ledger's ingestion plus the SOC and reconciliation API on its admin listener. */
export async function createLedgerApp(options: LedgerServiceOptions & { readonly withProcessMetrics?: boolean }): Promise<LedgerApp> {
  const service = new LedgerService(options);
  @Module({ imports: [service.apiModule()], controllers: [LedgerHealthController], providers: [{ provide: LedgerService, useValue: service }] })
  class LedgerAppModule {}
  const { app, metrics } = await createHttpApp(LedgerAppModule, {
    service: 'lgsp-ledger',
    logger: options.logger,
    bodyLimit: options.config.maxBodyBytes,
    withProcessMetrics: options.withProcessMetrics ?? true,
    ...(await adminListenerOptions(options.config)),
  });
  service.registerMetrics(metrics.registry);
  await service.start();
  return {
    app,
    service,
    listen: () => listenOn(app, options.config.adminHost, options.config.adminPort),
    close: async () => {
      await service.stop();
      await app.close();
    },
  };
}
