import { idsOf } from '@lgsp/http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import { type Actor, actorOf } from './admin-principal.type';

/** The actor for the audit trail: the admin client, or the anonymous submitter's address; with the request's id. */
export const RequestActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const ids = idsOf(request);
  return actorOf(request.adminPrincipal, ids.requestId ?? ids.transactionId, request.ip);
});

/** The client's address as the listener sees it (LGSP_TRUSTED_PROXIES is not applied yet). */
export const ClientIp = createParamDecorator((_data: unknown, context: ExecutionContext): string => context.switchToHttp().getRequest<FastifyRequest>().ip);
