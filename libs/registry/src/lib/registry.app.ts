import { adminListenerOptions, createHttpApp, listenOn } from '@lgsp/http';
import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import type { RegistryModuleOptions } from './registry-options.type';
import { RegistryModule } from './registry.module';

export interface RegistryAppOptions extends RegistryModuleOptions {
  /** Only the first app of a process collects process metrics (default true). */
  readonly withProcessMetrics?: boolean;
}

export interface RegistryApp {
  readonly app: NestFastifyApplication;
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
  const { withProcessMetrics, ...moduleOptions } = options;
  @Module({ imports: [RegistryModule.forRoot(moduleOptions)], controllers: [AdminHealthController] })
  class RegistryAppModule {}
  const { app } = await createHttpApp(RegistryAppModule, {
    service: 'lgsp-registry',
    logger: options.logger,
    bodyLimit: options.config.maxBodyBytes,
    withProcessMetrics: withProcessMetrics ?? true,
    ...(await adminListenerOptions(options.config)),
  });
  return {
    app,
    listen: () => listenOn(app, options.config.adminHost, options.config.adminPort),
    close: () => app.close(),
  };
}
