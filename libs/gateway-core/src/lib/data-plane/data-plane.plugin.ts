import { Header, isUuidV4, problemOf } from '@lgsp/contracts';
import { problemFromError } from '@lgsp/http';
import type { TransactionSink } from '@lgsp/ledger-client';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';

import type { GatewayContext } from '../chain/gateway-context.type';
import type { PolicyChain } from '../chain/policy-chain';
import type { ResponseSigner } from '../policies/sign/response-signer';
import type { PendingSecurityEvents } from './pending-security-events';
import { sendRefusal } from './refusal-writer.util';
import { recordTransaction } from './transaction-recorder';

export interface DataPlaneOptions {
  readonly chain: PolicyChain;
  readonly sink: TransactionSink;
  readonly bodyLimit: number;
  /** Events raised outside a request, attached to the next record. */
  readonly alerts?: PendingSecurityEvents;
  /** Signs refusals written after the verify policy accepted a signature. */
  readonly signer?: ResponseSigner;
  /** LGSP_SIGN_ALL_RESPONSES: every refusal is signed too, those written before verify included. */
  readonly signAllResponses?: boolean;
  /** LGSP_ACCESS_LOG: the access line of every transaction (default), of failures only, or none. */
  readonly accessLog?: 'all' | 'errors' | 'off';
}

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function contextOf(request: FastifyRequest, reply: FastifyReply): GatewayContext {
  const url = request.raw.url ?? '/';
  const q = url.indexOf('?');
  const length = request.headers['content-length'];
  return {
    request,
    reply,
    transactionId: String(request.id),
    receivedAt: Date.now(),
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? '' : url.slice(q),
    bytesIn: length === undefined ? 0 : Number(length) || 0,
  };
}

/**
 * The data plane as an encapsulated Fastify plugin: a catch-all route below the platform's own
 * static routes (health, metrics, OAuth), raw bodies kept as bytes (providers get them unchanged;
 * the limit is enforced while reading), every outcome answered as problem+json (a SOAP Fault for
 * SOAP requests) and recorded.
 */
export function registerDataPlane(fastify: FastifyInstance, options: DataPlaneOptions): void {
  const accessLog = options.accessLog ?? 'all';
  fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) => done(null, body));

    scope.addHook('onRequest', (request, reply, done) => {
      request.lgsp = contextOf(request, reply);
      reply.header(Header.transactionId, request.id);
      done();
    });

    const signer = options.signer;
    if (signer !== undefined) {
      const signAll = options.signAllResponses === true;
      // Every refusal (and error) leaves through here; answers the chain served were signed by the
      // sign policy. Only the bodies signed here are touched (a refusal is a string or a Buffer).
      scope.addHook('onSend', async (request, reply, payload) => {
        const context = request.lgsp;
        if (context?.errorCode === undefined || (!signAll && context.signResponse !== true)) return payload;
        if (payload !== null && payload !== undefined && typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
        let requestId = context.requestId;
        if (requestId === undefined) {
          // Refused before the request-id policy (guard): echo a well-formed X-Request-ID as it would
          // have. Without one (request_id_invalid) there is nothing the signature could cover.
          const sent = request.headers[Header.requestId];
          if (typeof sent !== 'string' || !isUuidV4(sent)) return payload;
          requestId = sent;
          reply.header(Header.requestId, requestId);
        }
        const body = payload === null || payload === undefined ? Buffer.alloc(0) : Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
        reply.headers(await signer.headersFor(context, reply.statusCode, body, requestId));
        return payload;
      });
    }

    scope.addHook('onResponse', (request, reply, done) => {
      if (request.lgsp !== undefined) recordTransaction(options.sink, request.lgsp, request, reply, options.alerts, accessLog);
      done();
    });

    // Errors raised before the chain runs (body too large, unreadable body) take the same way out.
    scope.setErrorHandler((error, request, reply) => {
      const { problem, headers } = problemFromError(error, request);
      if (request.lgsp !== undefined) request.lgsp.errorCode = problem.code;
      return sendRefusal(request, reply, problem, headers);
    });

    scope.route({
      method: METHODS,
      url: '/*',
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const context = request.lgsp as GatewayContext;
        const refusal = await options.chain.run(context);
        if (refusal === undefined) return reply;
        context.errorCode = refusal.code;
        const problem = problemOf(refusal.code, {
          detail: refusal.detail,
          errors: refusal.errors,
          requestId: context.requestId,
          transactionId: context.transactionId,
        });
        return sendRefusal(request, reply, problem, refusal.headers);
      },
    });
  });
}
