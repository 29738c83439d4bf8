import type { PublishedJwks } from '@lgsp/data';
import { OAuthPath } from '@lgsp/contracts';
import { Controller, Get, Inject, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { OAuthErrorFilter } from '../oauth/oauth-error.filter';
import { JwksService } from './jwks.service';

/** The public keys that verify LGSP access tokens (RFC 7517), next key included. Public. */
@Controller()
@UseFilters(OAuthErrorFilter)
export class JwksController {
  constructor(@Inject(JwksService) private readonly jwks: JwksService) {}

  @Get(OAuthPath.jwks)
  async get(@Res({ passthrough: true }) reply: FastifyReply): Promise<PublishedJwks> {
    reply.header('cache-control', `public, max-age=${this.jwks.maxAgeSeconds}`);
    return this.jwks.jwks();
  }
}
