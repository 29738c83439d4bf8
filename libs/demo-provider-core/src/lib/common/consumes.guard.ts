import { ErrorCode, LgspError } from '@lgsp/contracts';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Injectable, SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiConsumes } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

const CONSUMES = 'lgsp:consumes';

/** The media type of a Content-Type header value, without parameters, lower case. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

/**
 * Refuses a body in any media type the route does not list (the app parses more types than any one
 * route accepts: form bodies, text, merge patches). A request without a body has no type to refuse.
 */
@Injectable()
export class ConsumesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const accepted = this.reflector.get<readonly string[] | undefined>(CONSUMES, context.getHandler()) ?? [];
    const type = mediaTypeOf(context.switchToHttp().getRequest<FastifyRequest>().headers['content-type']);
    if (type === undefined || accepted.includes(type)) return true;
    throw new LgspError(ErrorCode.UnsupportedMediaType, `This operation accepts ${accepted.join(' or ')}, not ${type}`);
  }
}

/** The media types a route's body may have: enforced by ConsumesGuard and described for OpenAPI. */
export function Consumes(...mediaTypes: string[]): MethodDecorator {
  return applyDecorators(SetMetadata(CONSUMES, mediaTypes), UseGuards(ConsumesGuard), ApiConsumes(...mediaTypes));
}
