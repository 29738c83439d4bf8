import { Header, problemOf } from '@lgsp/contracts';
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
  /** Signs refusals written after the verify policy accepted a signature (or LGSP_SIGN_ALL_RESPONSES). */
  readonly signer?: ResponseSigner;
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
      // A refusal (or an error) after verify: the sign policy never ran, so its answer is signed here.
      scope.addHook('onSend', async (request, reply, payload) => {
        const context = request.lgsp;
        if (context?.signResponse !== true || context.errorCode === undefined) return payload;
        if (payload !== null && payload !== undefined && typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
        const body = payload === null || payload === undefined ? Buffer.alloc(0) : Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
        reply.headers(await signer.headersFor(context, reply.statusCode, body));
        return payload;
      });
    }

    scope.addHook('onResponse', (request, reply, done) => {
      if (request.lgsp !== undefined) recordTransaction(options.sink, request.lgsp, request, reply, options.alerts);
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
