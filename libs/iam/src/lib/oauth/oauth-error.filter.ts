import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { Catch } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { sendOAuthError, toOAuthError } from './oauth-response.util';

/** The OAuth endpoints' own filter: RFC 6749 error JSON, never problem+json, never a stack trace. */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    sendOAuthError(request, http.getResponse<FastifyReply>(), toOAuthError(exception, request));
  }
}
