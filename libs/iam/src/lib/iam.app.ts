import { createHttpApp, listenOn } from '@lgsp/http';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { IamHealthController } from './health/iam-health.controller';
import type { IamModuleOptions } from './iam-options.type';
import { IamModule } from './iam.module';

export interface IamAppOptions extends IamModuleOptions {
  /** Only the first app of a process collects process metrics (default true). */
  readonly withProcessMetrics?: boolean;
}

export interface IamApp {
  readonly app: NestFastifyApplication;
  /** Listens on LGSP_HOST:LGSP_PORT; resolves to the URL actually bound. */
  listen(): Promise<string>;
  /** Stops accepting and lets in-flight requests finish; the caller then closes what it passed in. */
  close(): Promise<void>;
}

/** The IAM service as one Nest app on Fastify: the IamModule and health endpoints on the public listener. */
export async function createIamApp(options: IamAppOptions): Promise<IamApp> {
  const { withProcessMetrics, ...moduleOptions } = options;
  @Module({ imports: [IamModule.forRoot(moduleOptions)], controllers: [IamHealthController] })
  class IamAppModule {}
  const { app } = await createHttpApp(IamAppModule, {
    service: 'lgsp-iam',
    logger: options.logger,
    bodyLimit: options.config.maxBodyBytes,
    withProcessMetrics: withProcessMetrics ?? true,
  });
  const { config } = options;
  return {
    app,
    listen: () => listenOn(app, config.host, config.port),
    async close() {
      await app.close();
    },
  };
}
