import { ADMIN_ROLES, ADMIN_SCOPE, type AdminRole, ErrorCode, Header, LgspError } from '@lgsp/contracts';
import { adminClients, isTokenRevoked } from '@lgsp/data';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';

import { ADMIN_AUTH_OPTIONS, type AdminAuthOptions } from './admin-auth-options.type';
import { ADMIN_ACCESS, type AdminAccess } from './admin.decorator';
import type { AdminPrincipal } from './admin-principal.type';
import { AdminTokenVerifier } from './admin-token.verifier';

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

function unauthenticated(detail: string): LgspError {
  return new LgspError(ErrorCode.InvalidToken, detail, undefined, { [Header.wwwAuthenticate]: 'Bearer realm="lgsp-admin", error="invalid_token"' });
}

/**
 * Authenticates the admin API: a Bearer access token of an admin client (scope `admin`), not
 * revoked, whose client is still active. The roles are the registry's current ones (admin_clients), not the
 * token's: taking a role away takes effect at once. Routes open to anonymous callers (a first
 * registration) still authenticate a token when one is sent.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AdminTokenVerifier) private readonly verifier: AdminTokenVerifier,
    @Inject(ADMIN_AUTH_OPTIONS) private readonly options: AdminAuthOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.get<AdminAccess | undefined>(ADMIN_ACCESS, context.getHandler());
    if (access === undefined) throw new Error(`admin route ${context.getClass().name}.${context.getHandler().name} has no @Admin access`);
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    if (header === undefined) {
      if (access.anonymous) return true;
      throw unauthenticated('This endpoint needs an admin access token (Authorization: Bearer)');
    }
    const principal = await this.authenticate(header);
    request.adminPrincipal = principal;
    if (access.roles.length > 0 && !access.roles.some((role) => principal.roles.includes(role))) {
      throw new LgspError(ErrorCode.Forbidden, `This action needs one of the roles ${access.roles.join(', ')}`);
    }
    return true;
  }

  private async authenticate(header: string): Promise<AdminPrincipal> {
    const match = BEARER.exec(header);
    if (match === null) throw unauthenticated('The Authorization header must be Bearer <access token>');
    let payload;
    try {
      payload = await this.verifier.verify(match[1]);
    } catch {
      throw unauthenticated('The access token is invalid or expired');
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (!scopes.includes(ADMIN_SCOPE)) throw new LgspError(ErrorCode.Forbidden, 'This token is not an admin token (scope admin)');
    if (await isTokenRevoked(this.options.database.db, String(payload.jti), new Date())) throw unauthenticated('The access token was revoked');
    const [client] = await this.options.database.db.select().from(adminClients).where(eq(adminClients.clientId, String(payload.client_id))).limit(1);
    if (client === undefined || client.status !== 'active') throw unauthenticated('The admin client is revoked');
    const roles = client.roles.filter((role): role is AdminRole => (ADMIN_ROLES as readonly string[]).includes(role));
    return { clientId: client.clientId, roles, ...(client.organisation !== null && { organisation: client.organisation }) };
  }
}
