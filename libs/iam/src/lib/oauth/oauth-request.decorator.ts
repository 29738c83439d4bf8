import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import type { OAuthEndpoint } from './oauth-exchange.util';
import { readOAuthRequest } from './oauth-request.util';

/** The handler's OAuthRequest: form parameters checked, Authorization header, client IP, exchange. */
export const OAuthCall = createParamDecorator((endpoint: OAuthEndpoint, context: ExecutionContext) =>
  readOAuthRequest(context.switchToHttp().getRequest<FastifyRequest>(), endpoint),
);
