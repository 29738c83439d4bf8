import { randomUUID } from 'node:crypto';

import { ErrorCode, Header, LgspError, MediaType, errorCodeForStatus, isUuidV4, problemOf } from '@lgsp/contracts';
import type { Problem } from '@lgsp/contracts';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { Catch, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The request's ids as the problem reports them: the consumer's X-Request-ID and our transaction id. */
export function idsOf(request: FastifyRequest): { requestId?: string; transactionId: string } {
  const header = request.headers[Header.requestId];
  return { requestId: typeof header === 'string' && isUuidV4(header) ? header : undefined, transactionId: String(request.id) };
}

/** Turns any error into a Problem; unknown errors are logged with an error id and answered 500 with it. */
export function problemFromError(error: unknown, request: FastifyRequest): { problem: Problem; headers?: Readonly<Record<string, string>> } {
  const ids = idsOf(request);
  if (error instanceof LgspError) {
    return { problem: problemOf(error.code, { ...ids, detail: error.detail, errors: error.errors, ...error.extensions }), headers: error.headers };
  }
  const status = error instanceof HttpException ? error.getStatus() : (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = error instanceof HttpException ? error.message : (error as Error).message;
    return { problem: { ...problemOf(errorCodeForStatus(status), { ...ids, detail: message }), status } };
  }
  const errorId = randomUUID();
  // ECS error fields built here: ecs-pino-format's `err` conversion would replace error.id.
  const cause = error instanceof Error ? error : new Error(String(error));
  request.log.error({ error: { id: errorId, type: cause.name, message: cause.message, stack_trace: cause.stack } }, 'unhandled error');
  return { problem: problemOf(ErrorCode.InternalError, { ...ids, errorId }) };
}

export function sendProblem(reply: FastifyReply, problem: Problem, headers?: Readonly<Record<string, string>>): FastifyReply {
  if (headers) reply.headers(headers);
  return reply.status(problem.status).type(MediaType.problemJson).send(problem);
}

/** One global filter: every error leaves as RFC 9457 problem+json with code and ids. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const { problem, headers } = problemFromError(exception, request);
    sendProblem(http.getResponse<FastifyReply>(), problem, headers);
  }
}
