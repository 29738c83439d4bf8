import type { AdminRole } from '@lgsp/contracts';
import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { AdminAuthGuard } from './admin-auth.guard';
import type { AdminPrincipal } from './admin-principal.type';

export const ADMIN_ACCESS = Symbol('ADMIN_ACCESS');

export interface AdminAccess {
  /** Any of these roles may call; empty: any authenticated admin client. */
  readonly roles: readonly AdminRole[];
  /** Callers without a token get through too (a unit's first registration, its follow-up). */
  readonly anonymous: boolean;
}

/**
 * One decorator sets the guard, the roles and the OpenAPI security of an admin route. Each route
 * has exactly one; a test fails for a route without it.
 */
export function Admin(...roles: AdminRole[]): MethodDecorator {
  return applyDecorators(SetMetadata(ADMIN_ACCESS, { roles, anonymous: false } satisfies AdminAccess), UseGuards(AdminAuthGuard), ApiBearerAuth('admin'));
}

/** An admin route that also serves callers without credentials (rate-limited, or proving a follow-up secret). */
export function AdminOrAnonymous(...roles: AdminRole[]): MethodDecorator {
  return applyDecorators(SetMetadata(ADMIN_ACCESS, { roles, anonymous: true } satisfies AdminAccess), UseGuards(AdminAuthGuard), ApiBearerAuth('admin'));
}

/** The authenticated admin client of the request (undefined on an anonymous call). */
export const Principal = createParamDecorator((_data: unknown, context: ExecutionContext): AdminPrincipal | undefined => {
  return context.switchToHttp().getRequest<FastifyRequest>().adminPrincipal;
});
