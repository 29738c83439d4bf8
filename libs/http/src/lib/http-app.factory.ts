import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

import { Header, MediaType, errorCodeForStatus, isUuidV4, problemOf } from '@lgsp/contracts';
import type { HttpMetrics, Logger } from '@lgsp/observability';
import { PinoNestLogger, createHttpMetrics, installHttpMetrics } from '@lgsp/observability';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyChildLoggerFactory } from 'fastify/types/logger';
import { v7 as uuidv7 } from 'uuid';

import { ProblemFilter, problemFromError, sendProblem } from './problem.filter';
import { createValidationPipe } from './validation.pipe';

type LogMethod = (...args: unknown[]) => void;
type PinoLike = Record<'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent', LogMethod> & { level: string; child(bindings: object, options?: object): PinoLike };

/**
 * A request's logger, made only when the request logs: most requests never do (the gateway's access
 * line is optional, LGSP_ACCESS_LOG), and a pino child per request cost ~2% of a proxied request.
 * It carries both ids (fastify would otherwise add its own reqId).
 */
class RequestLogger {
  private made?: PinoLike;

  constructor(
    private readonly parent: PinoLike,
    private readonly transactionId: unknown,
    private readonly requestId: string | undefined,
    private readonly options: object | undefined,
  ) {}

  private get logger(): PinoLike {
    this.made ??= this.parent.child(
      {
        transaction: { id: this.transactionId },
        // Dotted, so a line's own `http` object (method, status) does not repeat the key; Elasticsearch
        // reads both as one http.request object.
        ...(this.requestId === undefined ? {} : { 'http.request.id': this.requestId }),
      },
      this.options,
    );
    return this.made;
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }
  set level(level: string) {
    this.logger.level = level;
  }
  fatal(...args: unknown[]): void {
    this.logger.fatal(...args);
  }
  error(...args: unknown[]): void {
    this.logger.error(...args);
  }
  warn(...args: unknown[]): void {
    this.logger.warn(...args);
  }
  info(...args: unknown[]): void {
    this.logger.info(...args);
  }
  debug(...args: unknown[]): void {
    this.logger.debug(...args);
  }
  trace(...args: unknown[]): void {
    this.logger.trace(...args);
  }
  silent(...args: unknown[]): void {
    this.logger.silent(...args);
  }
  child(bindings: object, options?: object): PinoLike {
    return this.logger.child(bindings, options);
  }
}

const childLoggerFactory: FastifyChildLoggerFactory = (logger, bindings, childOptions, rawRequest) => {
  const header = (rawRequest as IncomingMessage).headers[Header.requestId];
  const requestId = typeof header === 'string' && isUuidV4(header) ? header : undefined;
  return new RequestLogger(logger as unknown as PinoLike, bindings.reqId, requestId, childOptions) as unknown as ReturnType<FastifyChildLoggerFactory>;
};

/**
 * Requests Fastify refuses while routing (a malformed percent-encoding in the path, a path longer
 * than maxParamLength) leave as problem+json like every other refusal, not as Fastify's own JSON.
 */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { problem, headers } = problemFromError(error, request);
  void sendProblem(reply, problem, headers);
}

/** Limits of a listener's connections against slow or flooding clients. */
export interface ListenerLimits {
  /** Largest request head (request line and headers), in bytes: larger ones are answered 431. */
  readonly maxHeaderBytes: number;
  /** Open connections; further ones are closed on accept. */
  readonly maxConnections: number;
  /** Time for a whole request (head and body) to arrive: 408 and disconnected beyond. */
  readonly requestTimeoutMs: number;
  /** Time for the head (a new connection's first one included) and for the TLS handshake. */
  readonly headersTimeoutMs: number;
  /** Time an idle keep-alive connection stays open between requests. */
  readonly keepAliveTimeoutMs: number;
}

/** HTTPS for a listener: TLS 1.2 at least, TLS 1.3 whenever the client offers it. */
export interface ListenerTls {
  /** PEM certificate chain, leaf first. */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** PEM CA certificates whose client certificates are asked for; a client without one is still served. */
  readonly clientCa?: string | Buffer;
}

export interface HttpAppOptions {
  /** ECS service.name and metrics label. */
  service: string;
  logger: Logger;
  bodyLimit: number;
  /** Only the first app of a process collects process metrics. */
  withProcessMetrics?: boolean;
  /** Unset: Fastify's defaults (no header, connection or request-time limits beyond Node's). */
  limits?: ListenerLimits;
  /** Unset: plain HTTP. */
  tls?: ListenerTls;
  /** Whether the connection's peer (hop 0) or a forwarding address is a proxy whose X-Forwarded-For is believed (request.ip). */
  trustProxy?: (address: string, hop: number) => boolean;
}

export interface HttpApp {
  app: NestFastifyApplication;
  metrics: HttpMetrics;
}

const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };

/**
 * Errors of a connection before any request exists (an oversized head, a client too slow, bytes that
 * are not HTTP) are answered here as problem+json, then the connection is closed, as Node and
 * Fastify do — but never in the middle of a response already started on that connection.
 */
function clientErrorHandlerOf(limits: ListenerLimits | undefined) {
  const details: Readonly<Record<number, string>> = {
    431: `The request line and headers exceed ${limits?.maxHeaderBytes ?? 16384} bytes`,
    408: limits === undefined ? 'The request did not arrive in time' : `The request did not arrive in time: headers within ${limits.headersTimeoutMs} ms, the whole request within ${limits.requestTimeoutMs} ms`,
    400: 'The request is not well-formed HTTP/1.1',
  };
  return function onClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
    this.log.debug({ event: { action: 'client-error' }, error: { code: error.code }, http: { response: { status_code: status } } }, 'client connection error');
    const pending = (socket as Socket & { _httpMessage?: { headersSent: boolean } | null })._httpMessage;
    if (socket.writable && (pending === undefined || pending === null || !pending.headersSent)) {
      const body = JSON.stringify({ ...problemOf(errorCodeForStatus(status), { detail: details[status] }), status });
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${MediaType.problemJson}; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  };
}

/** The Node server options of a listener: its limits, and TLS when given. */
function serverOptionsOf(options: HttpAppOptions): Record<string, unknown> {
  const { limits, tls } = options;
  const http =
    limits === undefined
      ? {}
      : {
          maxHeaderSize: limits.maxHeaderBytes,
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          // Node checks both timeouts on this beat (every 30 s by default), so a slow client would outlive them.
          connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
        };
  const adapter: Record<string, unknown> =
    limits === undefined ? {} : { requestTimeout: limits.requestTimeoutMs, keepAliveTimeout: limits.keepAliveTimeoutMs };
  if (tls === undefined) return limits === undefined ? adapter : { ...adapter, http };
  return {
    ...adapter,
    https: {
      ...http,
      cert: tls.cert,
      key: tls.key,
      // TLS 1.3 is Node's maximum and is negotiated whenever the client offers it.
      minVersion: 'TLSv1.2',
      honorCipherOrder: true,
      ...(limits !== undefined && { handshakeTimeout: limits.headersTimeoutMs }),
      // Asked for, never required: the gateway decides what an unverified client may do.
      ...(tls.clientCa !== undefined && { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false }),
    },
  };
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
    clientErrorHandler: clientErrorHandlerOf(options.limits),
    frameworkErrors: answerFrameworkError,
    ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
    ...serverOptionsOf(options),
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
  if (options.limits !== undefined) app.getHttpServer().maxConnections = options.limits.maxConnections;
  const metrics = createHttpMetrics({ withProcessMetrics: options.withProcessMetrics ?? false });
  installHttpMetrics(fastify, metrics, options.service);
  return { app, metrics };
}

/** Listens and resolves to the URL actually bound (port 0 picks a free port), https:// when it serves TLS. */
export async function listenOn(app: NestFastifyApplication, host: string, port: number): Promise<string> {
  await app.listen({ port, host });
  const server = app.getHttpServer();
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return `${server instanceof TlsServer ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${bound}`;
}
