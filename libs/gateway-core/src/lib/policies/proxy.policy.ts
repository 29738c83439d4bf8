import type { EventEmitter } from 'node:events';

import { ErrorCode, Header, LgspError, isWriteMethod } from '@lgsp/contracts';
import type { Dispatcher } from 'undici';

import type { GatewayContext } from '../chain/gateway-context.type';
import type { GatewayPolicy, GatewayPolicyHandler, PolicyResult } from '../chain/gateway-policy.type';
import type { BackendJwtSigner } from '../proxy/backend-jwt-signer.service';
import { traceContextOf } from '../proxy/traceparent.util';
import { UpstreamDeadline } from '../proxy/upstream-deadline';
import { UpstreamRefusals, isProviderFailure, shouldRetryUpstream } from '../proxy/upstream-failure.util';
import { downstreamResponseHeaders, upstreamRequestHeaders } from '../proxy/upstream-headers.util';
import type { Upstream, UpstreamPools } from '../proxy/upstream-pools';
import { applyLifecycleHeaders } from '../routing/lifecycle-headers.util';

export interface ProxyPolicyConfig {
  readTimeoutMs: number;
  writeTimeoutMs: number;
}

const NO_BODY_STATUS: ReadonlySet<number> = new Set([204, 304]);
const EMPTY_BODY = Buffer.alloc(0);

/**
 * Answers that count against a provider's circuit besides connection errors and timeouts: its own
 * gateway or load balancer saying it is down or too slow. Any other answer, a 500 included, is the
 * provider answering — an application error on one record is no reason to cut off every consumer.
 */
function isGatewayFailure(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

class ProxyHandler implements GatewayPolicyHandler {
  private readonly refusals = new UpstreamRefusals();

  constructor(
    private readonly config: ProxyPolicyConfig,
    private readonly upstreams: UpstreamPools,
    private readonly tracingEnabled: boolean,
    private readonly backendJwt: BackendJwtSigner | undefined,
  ) {}

  async handle(context: GatewayContext): Promise<PolicyResult> {
    const { request, reply, route, environment, consumerId } = context;
    if (route === undefined || context.requestId === undefined || environment === undefined || consumerId === undefined) {
      return new LgspError(ErrorCode.InternalError, 'proxy reached without a route or an authenticated consumer');
    }
    const target = route.upstreams[environment];
    // Signed (or taken from the cache) before the circuit is asked, so an admitted call always reports.
    let assertion: string | undefined;
    if (this.backendJwt !== undefined) {
      const jwt = this.backendJwt.jwtFor(consumerId, context.clientId ?? '', environment, target.origin);
      assertion = typeof jwt === 'string' ? jwt : await jwt;
    }
    const upstream = this.upstreams.upstream(target.origin);
    const ticket = upstream.breaker.admit();
    if (typeof ticket !== 'number') return ticket;

    const method = request.method;
    const write = context.isWrite ?? isWriteMethod(method);
    const timeoutMs = write ? (route.writeTimeoutMs ?? this.config.writeTimeoutMs) : (route.readTimeoutMs ?? this.config.readTimeoutMs);
    let traceparent: string | undefined;
    if (!this.tracingEnabled) {
      const trace = traceContextOf(request.headers[Header.traceparent], context.transactionId);
      context.traceId = trace.traceId;
      traceparent = trace.traceparent;
    }
    const body = request.body as Buffer | undefined;
    const deadline = new UpstreamDeadline(timeoutMs);
    const options: Dispatcher.RequestOptions = {
      method: method as Dispatcher.HttpMethod,
      path: target.basePath + context.resourcePath + context.query,
      headers: upstreamRequestHeaders(request.headers, {
        requestId: context.requestId,
        transactionId: context.transactionId,
        clientIp: context.clientIp ?? request.ip,
        proto: request.protocol,
        host: request.headers.host,
        consumerId,
        assertion,
        traceparent,
      }),
      body: body !== undefined && body.length > 0 ? body : null,
      signal: deadline as unknown as EventEmitter,
      // The deadline above times the wait for the answer; undici's coarse timer would only be late.
      headersTimeout: 0,
      // Once the answer streams, a provider stalling longer than the timeout between chunks is cut off.
      bodyTimeout: timeoutMs,
    };
    const started = performance.now();
    context.upstreamStartedAt = Date.now();
    let response: Dispatcher.ResponseData;
    try {
      response = await this.send(upstream, options, method, deadline);
    } catch (error) {
      deadline.clear();
      context.upstreamDurationMs = performance.now() - started;
      if (isProviderFailure(error, deadline.aborted)) upstream.breaker.failed(ticket);
      else upstream.breaker.released(ticket);
      return this.refusals.of(error, deadline.aborted, timeoutMs);
    }
    deadline.clear();
    context.upstreamDurationMs = performance.now() - started;
    if (isGatewayFailure(response.statusCode)) upstream.breaker.failed(ticket);
    else upstream.breaker.succeeded(ticket);

    reply.status(response.statusCode).headers(downstreamResponseHeaders(response.headers));
    if (route.lifecycleHeaders !== undefined) applyLifecycleHeaders(reply, route.lifecycleHeaders, response.headers[Header.link]);
    if (context.signResponse === true) return this.buffer(context, response, method, timeoutMs);
    const length = response.headers['content-length'];
    if (method === 'HEAD' || NO_BODY_STATUS.has(response.statusCode)) {
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
  }

  /** A signed answer: the body is read whole for the sign policy (Content-Digest covers it), which sends it. */
  private async buffer(context: GatewayContext, response: Dispatcher.ResponseData, method: string, timeoutMs: number): Promise<PolicyResult> {
    if (method === 'HEAD' || NO_BODY_STATUS.has(response.statusCode)) {
      await response.body.dump();
      context.responseBody = EMPTY_BODY;
    } else {
      try {
        context.responseBody = Buffer.from(await response.body.arrayBuffer());
      } catch (error) {
        context.reply.removeHeader('content-length');
        return this.refusals.of(error, false, timeoutMs);
      }
    }
    context.bytesOut = context.responseBody.length;
    return undefined;
  }

  /** The call, and for an idempotent read that met a connection error before any answer, one more (same headers, same X-Request-ID, same deadline). */
  private async send(upstream: Upstream, options: Dispatcher.RequestOptions, method: string, deadline: UpstreamDeadline): Promise<Dispatcher.ResponseData> {
    try {
      return await upstream.pool.request(options);
    } catch (error) {
      if (!shouldRetryUpstream(method, error, 0, deadline.aborted)) throw error;
      this.upstreams.metrics.retries.inc({ origin: upstream.origin });
      return upstream.pool.request(options);
    }
  }
}

/**
 * Phase 8: forwards the request to the provider of the token's environment over its origin's
 * keep-alive pool and streams the answer back. Reads and writes have their own deadlines (the
 * guidance's 2 s and 10 s), overridable per API version; a read that met a connection error before
 * any answer is sent once more; each provider origin has a circuit breaker (503 circuit_open while
 * open). The provider gets X-Request-ID, X-LGSP-Transaction-ID, traceparent, X-LGSP-Consumer and
 * the platform-signed X-LGSP-Assertion — never the consumer's Authorization or cookies.
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
  create: (config, { upstreams, tracingEnabled, backendJwt }) => new ProxyHandler(config, upstreams, tracingEnabled, backendJwt),
};
