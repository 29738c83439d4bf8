import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** The line a write leaves in the log: structured fields and a message, never a body. */
export interface WriteLog {
  info(fields: object, message: string): void;
}

/** What a write needs from its request besides the body. */
export interface WriteContext {
  /** The If-Match header, when sent. */
  readonly ifMatch?: string;
  /** The request's logger: its lines carry the transaction id and the X-Request-ID received. */
  readonly log: WriteLog;
}

export function writeContextOf(request: FastifyRequest): WriteContext {
  const ifMatch = request.headers['if-match'];
  return { ifMatch: typeof ifMatch === 'string' ? ifMatch : undefined, log: request.log };
}

/** Hands a write handler its WriteContext. */
export const Write = createParamDecorator((_data: unknown, context: ExecutionContext): WriteContext =>
  writeContextOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
