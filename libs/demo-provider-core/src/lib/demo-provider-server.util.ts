import type { AddressInfo } from 'node:net';

import { createHttpApp } from '@lgsp/http';
import type { Logger } from '@lgsp/observability';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { DEMO_PROVIDER_API, DEMO_PROVIDER_DEFAULT_BODY_LIMIT } from './demo-provider.constant';
import { DemoProviderModule } from './demo-provider.module';

export interface DemoProviderOptions {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  logger: Logger;
  /** Largest request body in bytes; defaults to 1 MiB. */
  bodyLimit?: number;
  /** Only the first app of a process collects process metrics. */
  withProcessMetrics?: boolean;
}

export interface DemoProvider {
  /** The base URL it answers on, e.g. http://127.0.0.1:40123 (loopback when bound to every address). */
  url: string;
  app: NestFastifyApplication;
  close(): Promise<void>;
}

function urlOf(address: AddressInfo): string {
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/** Builds the demo provider on the platform's HTTP stack and listens. */
export async function startDemoProvider(options: DemoProviderOptions): Promise<DemoProvider> {
  const { app } = await createHttpApp(DemoProviderModule, {
    service: DEMO_PROVIDER_API.service,
    logger: options.logger,
    bodyLimit: options.bodyLimit ?? DEMO_PROVIDER_DEFAULT_BODY_LIMIT,
    withProcessMetrics: options.withProcessMetrics,
  });
  try {
    await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await app.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: urlOf(app.getHttpServer().address() as AddressInfo),
    app,
    close: () => (closing ??= app.close()),
  };
}
