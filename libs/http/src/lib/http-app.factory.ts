import type { IncomingMessage } from 'node:http';

import { Header, isUuidV4 } from '@lgsp/contracts';
import type { HttpMetrics, Logger } from '@lgsp/observability';
import { PinoNestLogger, createHttpMetrics, installHttpMetrics } from '@lgsp/observability';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import type { FastifyChildLoggerFactory } from 'fastify/types/logger';
import { v7 as uuidv7 } from 'uuid';

import { ProblemFilter } from './problem.filter';
import { createValidationPipe } from './validation.pipe';

// One child logger per request, carrying both ids (fastify would otherwise add its own reqId).
const childLoggerFactory: FastifyChildLoggerFactory = (logger, bindings, childOptions, rawRequest) => {
  const header = (rawRequest as IncomingMessage).headers[Header.requestId];
  return logger.child(
    {
      transaction: { id: bindings.reqId },
      // Dotted, so a line's own `http` object (method, status) does not repeat the key; Elasticsearch
      // reads both as one http.request object.
      ...(typeof header === 'string' && isUuidV4(header) ? { 'http.request.id': header } : {}),
    },
    childOptions,
  );
};

export interface HttpAppOptions {
  /** ECS service.name and metrics label. */
  service: string;
  logger: Logger;
  bodyLimit: number;
  /** Only the first app of a process collects process metrics. */
  withProcessMetrics?: boolean;
}

export interface HttpApp {
  app: NestFastifyApplication;
  metrics: HttpMetrics;
}

/**
 * Every LGSP listener is built here: Nest on Fastify, ECS logs whose every line of a request carries
 * its transaction id (UUID v7, minted here) and X-Request-ID, problem+json for every error including
 * those raised by Fastify before Nest sees the request, the validation pipe, and /metrics.
 */
export async function createHttpApp(module: unknown, options: HttpAppOptions): Promise<HttpApp> {
  const adapter = new FastifyAdapter({
    loggerInstance: options.logger,
    // One access line per transaction is written by the gateway itself, with ECS fields.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    genReqId: () => uuidv7(),
    childLoggerFactory,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 2048 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    logger: new PinoNestLogger(options.logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(createValidationPipe());
  // Nest's own Fastify error handler sends errors raised before routing (unreadable or oversized
  // bodies) through the global filter too, so they also leave as problem+json.
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = createHttpMetrics({ withProcessMetrics: options.withProcessMetrics ?? false });
  installHttpMetrics(fastify, metrics, options.service);
  return { app, metrics };
}

/** Listens and resolves to the URL actually bound (port 0 picks a free port). */
export async function listenOn(app: NestFastifyApplication, host: string, port: number): Promise<string> {
  await app.listen({ port, host });
  const address = app.getHttpServer().address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
}
