import { ErrorCode, Header, LgspError, isWriteMethod } from '@lgsp/contracts';
import { errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';

import type { GatewayContext } from '../chain/gateway-context.type';
import type { GatewayPolicy } from '../chain/gateway-policy.type';
import { downstreamResponseHeaders, upstreamRequestHeaders } from '../proxy/upstream-headers.util';
import { traceContextOf } from '../proxy/traceparent.util';
import { applyLifecycleHeaders } from '../routing/lifecycle-headers.util';

export interface ProxyPolicyConfig {
  readTimeoutMs: number;
  writeTimeoutMs: number;
}

const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** Which refusal an upstream failure becomes: 504 when the provider was too slow, 502 when unreachable. */
export function refusalOfUpstreamError(error: unknown, timeoutMs: number): LgspError {
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return new LgspError(ErrorCode.UpstreamTimeout, 'The provider service did not accept a connection in time');
  }
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new LgspError(ErrorCode.UpstreamTimeout, `The provider service did not answer within ${timeoutMs} ms`);
  }
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
    return new LgspError(ErrorCode.UpstreamUnavailable, `The provider service could not be reached (${code})`);
  }
  return new LgspError(ErrorCode.UpstreamUnavailable, 'The provider service failed to answer');
}

const NO_BODY_STATUS: ReadonlySet<number> = new Set([204, 304]);

/**
 * Phase 8: forwards the request to the provider of the token's environment over a keep-alive pool
 * and streams the answer back unchanged. Reads and writes have their own timeouts (the guidance's
 * 2 s and 10 s), overridable per API version.
 */
export const proxyPolicy: GatewayPolicy<ProxyPolicyConfig> = {
  name: 'proxy',
  phase: 80,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      readTimeoutMs: { type: 'integer', minimum: 1, description: 'Milliseconds a provider has to answer a read (GET, HEAD) unless its API overrides it', default: 2000 },
      writeTimeoutMs: { type: 'integer', minimum: 1, description: 'Milliseconds a provider has to answer a write (POST, PUT, PATCH, DELETE) unless its API overrides it', default: 10000 },
    },
  },
  create: (config, { upstreams, tracingEnabled }) => ({
    async handle(context: GatewayContext) {
      const { request, reply } = context;
      const { route, environment } = context;
      if (route === undefined || context.requestId === undefined || environment === undefined) {
        return new LgspError(ErrorCode.InternalError, 'proxy reached without a route or an authenticated environment');
      }
      const target = route.upstreams[environment];
      const write = isWriteMethod(request.method);
      const timeoutMs = write ? (route.writeTimeoutMs ?? config.writeTimeoutMs) : (route.readTimeoutMs ?? config.readTimeoutMs);
      let traceparent: string | undefined;
      if (!tracingEnabled) {
        const trace = traceContextOf(request.headers[Header.traceparent], context.transactionId);
        context.traceId = trace.traceId;
        traceparent = trace.traceparent;
      }
      const body = request.body as Buffer | undefined;
      const started = performance.now();
      context.upstreamStartedAt = Date.now();
      let response: Dispatcher.ResponseData;
      try {
        response = await upstreams.get(target.origin).request({
          method: request.method as Dispatcher.HttpMethod,
          path: target.basePath + context.resourcePath + context.query,
          headers: upstreamRequestHeaders(request.headers, {
            requestId: context.requestId,
            transactionId: context.transactionId,
            clientIp: request.ip,
            proto: request.protocol,
            host: request.headers.host,
            traceparent,
          }),
          body: body !== undefined && body.length > 0 ? body : null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (error) {
        context.upstreamDurationMs = performance.now() - started;
        return refusalOfUpstreamError(error, timeoutMs);
      }
      context.upstreamDurationMs = performance.now() - started;
      reply.status(response.statusCode).headers(downstreamResponseHeaders(response.headers));
      if (route.lifecycleHeaders !== undefined) applyLifecycleHeaders(reply, route.lifecycleHeaders, response.headers[Header.link]);
      const length = response.headers['content-length'];
      if (request.method === 'HEAD' || NO_BODY_STATUS.has(response.statusCode)) {
        await response.body.dump();
        context.bytesOut = 0;
        reply.send();
        return undefined;
      }
      if (typeof length === 'string') {
        context.bytesOut = Number(length);
      } else {
        let bytes = 0;
        response.body.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.body.once('end', () => (context.bytesOut = bytes));
      }
      reply.send(response.body);
      return undefined;
    },
  }),
};
