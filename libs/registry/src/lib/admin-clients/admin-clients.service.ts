import { type Actor, type AdminPrincipal, hasRole } from '@lgsp/admin-auth';
import { ErrorCode, LgspError, ruleViolation } from '@lgsp/contracts';
import { adminClients, consumerSystems, credentials, generateClientId, generateClientSecret, hashSecret, rotateCredentialSecret } from '@lgsp/data';
import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq } from 'drizzle-orm';

import { REGISTRY_OPTIONS, type RegistryModuleOptions } from '../registry-options.type';
import { RegistryStore } from '../store/registry-store.service';
import type { CreateAdminClientDto } from './dto/admin-client.dto';

type AdminRow = typeof adminClients.$inferSelect;

const viewOf = (row: AdminRow) => ({
  clientId: row.clientId,
  name: row.name,
  roles: row.roles,
  organisation: row.organisation,
  status: row.status,
  createdAt: row.createdAt.toISOString(),
});

/**
 * Admin clients (people and teams acting through the admin API until the portal exists) and the
 * secrets of consumer credentials: created, rotated and revoked here, each secret shown once.
 */
@Injectable()
export class AdminClientsService {
  constructor(
    @Inject(RegistryStore) private readonly store: RegistryStore,
    @Inject(REGISTRY_OPTIONS) private readonly options: RegistryModuleOptions,
  ) {}

  async list() {
    const rows = await this.store.db.select().from(adminClients).orderBy(asc(adminClients.clientId));
    return rows.map(viewOf);
  }

  async create(dto: CreateAdminClientDto, actor: Actor) {
    const unitBound = dto.roles.includes('provider') || dto.roles.includes('consumer');
    if (unitBound && dto.organisation === undefined) {
      throw ruleViolation('organisation-required', 'A provider or consumer admin acts for one unit: give its organisation');
    }
    const clientId = dto.clientId ?? generateClientId();
    const clientSecret = generateClientSecret();
    return this.store.write(actor, { notifyGateways: false }, async (context) => {
      // Tokens are issued by client_id: an admin client may never share one with a consumer credential.
      const [credential] = await context.tx.select({ id: credentials.clientId }).from(credentials).where(eq(credentials.clientId, clientId)).limit(1);
      const [admin] = await context.tx.select({ id: adminClients.clientId }).from(adminClients).where(eq(adminClients.clientId, clientId)).limit(1);
      if (credential !== undefined || admin !== undefined) throw new LgspError(ErrorCode.Conflict, `The client id ${clientId} is already in use`);
      const [row] = await context.tx
        .insert(adminClients)
        .values({ clientId, name: dto.name, roles: dto.roles, organisation: dto.organisation ?? null, secretHash: hashSecret(clientSecret, this.options.pepper) })
        .returning();
      await context.audit({ action: 'admin-client.create', targetType: 'admin-client', targetId: clientId, after: viewOf(row) });
      return { ...viewOf(row), clientSecret };
    });
  }

  async revoke(clientId: string, reason: string, actor: Actor) {
    if (clientId === actor.id) throw ruleViolation('self-revocation', 'An admin client cannot revoke itself: another DGO admin must');
    return this.store.write(actor, { notifyGateways: false }, async (context) => {
      const rows = await context.tx
        .update(adminClients)
        .set({ status: 'revoked', updatedAt: context.now })
        .where(and(eq(adminClients.clientId, clientId), eq(adminClients.status, 'active')))
        .returning();
      if (rows.length === 0) throw new LgspError(ErrorCode.NotFound, `No active admin client ${clientId}`);
      await context.audit({ action: 'admin-client.revoke', targetType: 'admin-client', targetId: clientId, before: { status: 'active' }, after: { status: 'revoked' }, reason });
      return viewOf(rows[0]);
    });
  }

  /** A new Secret Key for a consumer credential; the previous one keeps working for LGSP_SECRET_ROTATION_OVERLAP_HOURS. */
  async rotateCredential(consumerId: string, clientId: string, principal: AdminPrincipal, actor: Actor) {
    await this.ownCredential(consumerId, clientId, principal);
    const clientSecret = generateClientSecret();
    return this.store.write(actor, { notifyGateways: false }, async (context) => {
      const previousSecretExpiresAt = new Date(context.now.getTime() + this.options.config.tokens.secretRotationOverlapHours * 3_600_000);
      if (!(await rotateCredentialSecret(context.tx, clientId, hashSecret(clientSecret, this.options.pepper), previousSecretExpiresAt))) {
        throw new LgspError(ErrorCode.NotFound, `No active credential ${clientId}`);
      }
      await context.audit({ action: 'credential.rotate', targetType: 'consumer', targetId: consumerId, after: { clientId, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() } });
      return { clientId, clientSecret, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() };
    });
  }

  /** The credential can no longer obtain tokens; tokens already issued expire on their own (at most LGSP_TOKEN_TTL_SECONDS) or are revoked at IAM. */
  async revokeCredential(consumerId: string, clientId: string, reason: string, principal: AdminPrincipal, actor: Actor) {
    await this.ownCredential(consumerId, clientId, principal);
    return this.store.write(actor, { notifyGateways: false }, async (context) => {
      const rows = await context.tx
        .update(credentials)
        .set({ status: 'revoked', updatedAt: context.now })
        .where(and(eq(credentials.clientId, clientId), eq(credentials.consumerId, consumerId), eq(credentials.status, 'active')))
        .returning({ clientId: credentials.clientId });
      if (rows.length === 0) throw new LgspError(ErrorCode.NotFound, `No active credential ${clientId}`);
      await context.audit({ action: 'credential.revoke', targetType: 'consumer', targetId: consumerId, before: { clientId, status: 'active' }, after: { clientId, status: 'revoked' }, reason });
    });
  }

  private async ownCredential(consumerId: string, clientId: string, principal: AdminPrincipal): Promise<void> {
    const [row] = await this.store.db
      .select({ consumerId: credentials.consumerId })
      .from(credentials)
      .where(and(eq(credentials.clientId, clientId), eq(credentials.consumerId, consumerId)))
      .limit(1);
    if (row === undefined) throw new LgspError(ErrorCode.NotFound, `No credential ${clientId} of ${consumerId}`);
    if (hasRole(principal, 'dgo-admin')) return;
    const [consumer] = await this.store.db.select({ organisation: consumerSystems.organisation }).from(consumerSystems).where(eq(consumerSystems.id, consumerId)).limit(1);
    if (principal.organisation === undefined || consumer?.organisation !== principal.organisation) throw new LgspError(ErrorCode.NotFound, `No credential ${clientId} of ${consumerId}`);
  }
}
