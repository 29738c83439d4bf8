import { Header, OAuthPath } from '@lgsp/contracts';
import type { OnModuleInit } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';

import { IAM_OPTIONS, OAUTH_BODY_LIMIT_BYTES } from '../iam.constant';
import type { IamModuleOptions } from '../iam-options.type';
import { FORM_MEDIA_TYPE, parseFormBody } from './form-body.util';
import type { OAuthEndpoint } from './oauth-exchange.util';
import { exchangeOf, startExchange } from './oauth-exchange.util';
import { NO_STORE_HEADERS, sendOAuthError, toOAuthError } from './oauth-response.util';
import { recordOAuthTransaction } from './oauth-transaction.util';

/** The OAuth endpoints that take a form, authenticate a client and are recorded in the ledger. */
const FORM_ENDPOINTS: Readonly<Record<string, OAuthEndpoint>> = {
  [OAuthPath.token]: 'token',
  [OAuthPath.revoke]: 'revoke',
  [OAuthPath.introspect]: 'introspect',
};

type Hook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

function withHook(existing: unknown, hook: Hook): Hook[] {
  if (existing === undefined || existing === null) return [hook];
  return [...(Array.isArray(existing) ? existing : [existing]), hook];
}

/**
 * What Nest cannot say in a controller: the form body parser, and, on the three form endpoints
 * only, an error handler for what fails before the handler runs (a body too large, of another
 * type, unreadable) so that it too leaves as RFC 6749 JSON rather than problem+json, the no-store
 * and transaction-id headers, and the ledger record once the response has left.
 */
@Injectable()
export class OAuthHttpInstaller implements OnModuleInit {
  private readonly fastify?: FastifyInstance;

  constructor(
    @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost,
    @Inject(IAM_OPTIONS) private readonly options: IamModuleOptions,
  ) {
    this.fastify = adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    // Nest adds the routes when the application initialises, after every provider is built, so an
    // onRoute hook added now sees the OAuth routes come in and equips them alone.
    this.fastify?.addHook('onRoute', (route) => this.equip(route));
  }

  onModuleInit(): void {
    const fastify = this.fastify;
    if (fastify === undefined) return;
    // Replaces Nest's own form parser (which merges a repeated parameter silently into an array
    // without a size limit of its own): a small limit, and a repeated parameter kept visible.
    if (fastify.hasContentTypeParser(FORM_MEDIA_TYPE)) fastify.removeContentTypeParser(FORM_MEDIA_TYPE);
    fastify.addContentTypeParser(FORM_MEDIA_TYPE, { parseAs: 'string', bodyLimit: OAUTH_BODY_LIMIT_BYTES }, (_request, body, done) => {
      done(null, parseFormBody(body as string));
    });
  }

  private equip(route: RouteOptions): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const endpoint = FORM_ENDPOINTS[route.url];
    if (endpoint === undefined || !methods.includes('POST')) return;
    const clock = this.options.clock ?? (() => new Date());
    const sink = this.options.sink;
    route.onRequest = withHook(route.onRequest, (request, reply, done) => {
      startExchange(request.raw, endpoint, clock());
      reply.headers(NO_STORE_HEADERS);
      // The ledger record's id, as on the data plane: what a client quotes to the help desk.
      reply.header(Header.transactionId, String(request.id));
      done();
    });
    route.onResponse = withHook(route.onResponse, (request, reply, done) => {
      const exchange = exchangeOf(request.raw);
      if (exchange !== undefined) recordOAuthTransaction(sink, request, reply, exchange);
      done();
    });
    route.errorHandler = (error, request, reply) => sendOAuthError(request, reply, toOAuthError(error, request));
  }
}
