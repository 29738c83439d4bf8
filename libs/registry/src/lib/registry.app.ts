import { adminListenerOptions, createHttpApp, listenOn } from '@lgsp/http';
import type { HttpMetrics } from '@lgsp/observability';
import { Controller, Get, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import type { RegistryModuleOptions } from './registry-options.type';
import { RegistryModule } from './registry.module';

export interface RegistryAppOptions extends RegistryModuleOptions {
  /** Only the first app of a process collects process metrics (default true). */
  readonly withProcessMetrics?: boolean;
  /** Modules sharing the admin listener (`npm start` adds the ledger's SOC and reconciliation API). */
  readonly imports?: readonly DynamicModule[];
}

export interface RegistryApp {
  readonly app: NestFastifyApplication;
  /** The admin listener's Prometheus registry (GET /metrics). */
  readonly metrics: HttpMetrics;
  /** Listens on LGSP_ADMIN_HOST:LGSP_ADMIN_PORT; resolves to the URL actually bound. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

@Controller('health')
class AdminHealthController {
  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}

/** The admin listener: the registry's admin API and its liveness. */
export async function createRegistryApp(options: RegistryAppOptions): Promise<RegistryApp> {
  const { withProcessMetrics, imports, ...moduleOptions } = options;
  @Module({ imports: [RegistryModule.forRoot(moduleOptions), ...(imports ?? [])], controllers: [AdminHealthController] })
  class RegistryAppModule {}
  const { app, metrics } = await createHttpApp(RegistryAppModule, {
    service: 'lgsp-registry',
    logger: options.logger,
    bodyLimit: options.config.maxBodyBytes,
    withProcessMetrics: withProcessMetrics ?? true,
    ...(await adminListenerOptions(options.config)),
  });
  return {
    app,
    metrics,
    listen: () => listenOn(app, options.config.adminHost, options.config.adminPort),
    close: () => app.close(),
  };
}
