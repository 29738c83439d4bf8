import { randomUUID } from 'node:crypto';

import { ErrorCode } from '@lgsp/contracts';
import { HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { exchangeOf } from './oauth-exchange.util';
import { OAuthError } from './oauth.error';

/** RFC 6749 §5.1: token (and introspection) answers must never be cached. */
export const NO_STORE_HEADERS = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/** An error the server did not expect: RFC 6749's server_error, logged with an id the answer names. */
interface ServerFailure {
  readonly errorId: string;
}

/**
 * Any error of an OAuth route, Fastify's (an unreadable, oversized or unparseable body) or ours,
 * as the OAuthError it is answered with; what is unexpected is logged with an error id.
 */
export function toOAuthError(error: unknown, request: FastifyRequest): OAuthError | ServerFailure {
  if (error instanceof OAuthError) return error;
  const status = error instanceof HttpException ? error.getStatus() : (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 413) return OAuthError.invalidRequest('The request body is too large', 413);
  if (status === 415) return OAuthError.invalidRequest('The request body must be application/x-www-form-urlencoded');
  if (typeof status === 'number' && status >= 400 && status < 500) return OAuthError.invalidRequest('The request could not be read');
  const errorId = randomUUID();
  const cause = error instanceof Error ? error : new Error(String(error));
  request.log.error({ error: { id: errorId, type: cause.name, message: cause.message, stack_trace: cause.stack } }, 'unhandled error in an OAuth endpoint');
  return { errorId };
}

/** Sends RFC 6749 error JSON and notes the code (and the reason, for the log) on the exchange. */
export function sendOAuthError(request: FastifyRequest, reply: FastifyReply, failure: OAuthError | ServerFailure): FastifyReply {
  const exchange = exchangeOf(request.raw);
  reply.headers(NO_STORE_HEADERS);
  if (failure instanceof OAuthError) {
    if (exchange !== undefined) {
      exchange.errorCode = failure.code;
      exchange.reason ??= failure.reason;
    }
    return reply
      .status(failure.status)
      .headers(failure.headers)
      .type('application/json; charset=utf-8')
      .send({ error: failure.code, error_description: failure.description });
  }
  if (exchange !== undefined) exchange.errorCode = ErrorCode.InternalError;
  return reply
    .status(500)
    .type('application/json; charset=utf-8')
    .send({ error: 'server_error', error_description: `Internal error (error id ${failure.errorId})` });
}
