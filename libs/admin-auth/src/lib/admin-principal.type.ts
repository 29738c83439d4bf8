import type { AdminRole } from '@lgsp/contracts';

/** Who calls the admin API: an admin client, with the roles and unit the registry holds for it now. */
export interface AdminPrincipal {
  readonly clientId: string;
  readonly roles: readonly AdminRole[];
  /** The unit a provider or consumer admin acts for (apis.provider, consumer_systems.organisation). */
  readonly organisation?: string;
}

/** What the audit trail names as the actor of a change. */
export interface Actor {
  readonly id: string;
  readonly roles: readonly string[];
  readonly requestId?: string;
}

export function actorOf(principal: AdminPrincipal | undefined, requestId: string | undefined, anonymousIp?: string): Actor {
  if (principal === undefined) return { id: `anonymous@${anonymousIp ?? 'unknown'}`, roles: [], requestId };
  return { id: principal.clientId, roles: principal.roles, requestId };
}

export function hasRole(principal: AdminPrincipal | undefined, role: AdminRole): boolean {
  return principal?.roles.includes(role) ?? false;
}

declare module 'fastify' {
  interface FastifyRequest {
    adminPrincipal?: AdminPrincipal;
  }
}
