import { type Actor, type AdminPrincipal, hasRole } from '@lgsp/admin-auth';
import { ErrorCode, LgspError, ruleViolation } from '@lgsp/contracts';
import {
  apis,
  apiVersions,
  certificates,
  consumerSystems,
  credentials,
  parseCertificate,
  rateLimits,
  subscriptions,
} from '@lgsp/data';
import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, isNull, lt } from 'drizzle-orm';

import { REGISTRY_OPTIONS, type RegistryModuleOptions } from '../registry-options.type';
import { certificateValidity, parsePemBundle, verifyCertificateChain } from '../rules/certificate-chain.util';
import { RegistryStore, type WriteContext } from '../store/registry-store.service';
import type { CertificateDto, RateLimitDto, SubscriptionDto } from './dto/consumer.dto';

type ConsumerRow = typeof consumerSystems.$inferSelect;
type Status = ConsumerRow['status'];

/** Days ahead the DGO is warned of expiring signing certificates. */
export const CERTIFICATE_EXPIRY_WARNING_DAYS = 30;

const TRANSITIONS: Readonly<Record<'suspend' | 'resume' | 'terminate', { from: readonly Status[]; to: Status }>> = {
  suspend: { from: ['active'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'active' },
  terminate: { from: ['active', 'suspended'], to: 'terminated' },
};

/**
 * Consumer systems after approval: their status (enforced by every gateway within 2 s),
 * subscriptions, rate-limit overrides and signing certificates.
 */
@Injectable()
export class ConsumersService {
  constructor(
    @Inject(RegistryStore) private readonly store: RegistryStore,
    @Inject(REGISTRY_OPTIONS) private readonly options: RegistryModuleOptions,
  ) {}

  async list(principal: AdminPrincipal) {
    const query = this.store.db.select().from(consumerSystems).orderBy(asc(consumerSystems.id));
    if (hasRole(principal, 'dgo-admin')) return query;
    if (principal.organisation === undefined) return [];
    return query.where(eq(consumerSystems.organisation, principal.organisation));
  }

  async get(id: string, principal: AdminPrincipal) {
    const consumer = await this.visible(id, principal);
    const db = this.store.db;
    const [credentialRows, subscriptionRows, limitRows, certificateRows] = await Promise.all([
      db
        .select({ clientId: credentials.clientId, environment: credentials.environment, status: credentials.status, createdAt: credentials.createdAt })
        .from(credentials)
        .where(eq(credentials.consumerId, id))
        .orderBy(asc(credentials.createdAt)),
      db
        .select({ api: apis.domain, version: apiVersions.version, environment: subscriptions.environment })
        .from(subscriptions)
        .innerJoin(apiVersions, eq(subscriptions.apiVersionId, apiVersions.id))
        .innerJoin(apis, eq(apiVersions.apiId, apis.id))
        .where(eq(subscriptions.consumerId, id))
        .orderBy(asc(apis.domain), asc(apiVersions.version), asc(subscriptions.environment)),
      db
        .select({ api: apis.domain, version: apiVersions.version, readPerMinute: rateLimits.readPerMinute, writePerMinute: rateLimits.writePerMinute })
        .from(rateLimits)
        .leftJoin(apiVersions, eq(rateLimits.apiVersionId, apiVersions.id))
        .leftJoin(apis, eq(apiVersions.apiId, apis.id))
        .where(eq(rateLimits.consumerId, id)),
      db
        .select({
          id: certificates.id,
          fingerprintSha256: certificates.fingerprintSha256,
          subject: certificates.subject,
          issuer: certificates.issuer,
          notBefore: certificates.notBefore,
          notAfter: certificates.notAfter,
          status: certificates.status,
        })
        .from(certificates)
        .where(eq(certificates.consumerId, id))
        .orderBy(asc(certificates.id)),
    ]);
    return { ...consumer, credentials: credentialRows, subscriptions: subscriptionRows, limits: limitRows, certificates: certificateRows };
  }

  async changeStatus(id: string, step: keyof typeof TRANSITIONS, reason: string, actor: Actor): Promise<ConsumerRow> {
    const { from, to } = TRANSITIONS[step];
    return this.store.write(actor, { notifyGateways: true }, async (context) => {
      const consumer = await this.lock(context, id);
      if (!from.includes(consumer.status)) throw new LgspError(ErrorCode.Conflict, `Consumer system ${id} is ${consumer.status}; it cannot be ${step}d`);
      const [updated] = await context.tx.update(consumerSystems).set({ status: to, updatedAt: context.now }).where(eq(consumerSystems.id, id)).returning();
      if (to === 'terminated') {
        // Termination is final: its credentials can never authenticate again, even if someone resumed the row by hand.
        await context.tx.update(credentials).set({ status: 'revoked', updatedAt: context.now }).where(eq(credentials.consumerId, id));
      }
      await context.audit({ action: `consumer.${step}`, targetType: 'consumer', targetId: id, before: { status: consumer.status }, after: { status: to }, reason });
      return updated;
    });
  }

  async subscribe(id: string, dto: SubscriptionDto, actor: Actor) {
    const environments = dto.environments ?? ['sandbox', 'production'];
    return this.store.write(actor, { notifyGateways: true }, async (context) => {
      await this.lock(context, id);
      const versionId = await this.versionId(context, dto.api, dto.version, true);
      await context.tx
        .insert(subscriptions)
        .values(environments.map((environment) => ({ consumerId: id, apiVersionId: versionId, environment })))
        .onConflictDoNothing();
      await context.audit({ action: 'consumer.subscribe', targetType: 'consumer', targetId: id, after: { api: dto.api, version: dto.version, environments } });
      return { consumerId: id, api: dto.api, version: dto.version, environments };
    });
  }

  async unsubscribe(id: string, dto: SubscriptionDto, actor: Actor) {
    const environments = dto.environments ?? ['sandbox', 'production'];
    return this.store.write(actor, { notifyGateways: true }, async (context) => {
      await this.lock(context, id);
      const versionId = await this.versionId(context, dto.api, dto.version, false);
      for (const environment of environments) {
        await context.tx
          .delete(subscriptions)
          .where(and(eq(subscriptions.consumerId, id), eq(subscriptions.apiVersionId, versionId), eq(subscriptions.environment, environment)));
      }
      await context.audit({ action: 'consumer.unsubscribe', targetType: 'consumer', targetId: id, before: { api: dto.api, version: dto.version, environments } });
    });
  }

  async setLimit(id: string, dto: RateLimitDto, actor: Actor) {
    if ((dto.api === undefined) !== (dto.version === undefined)) throw ruleViolation('limit-target', 'A per-API limit names both api and version');
    return this.store.write(actor, { notifyGateways: true }, async (context) => {
      await this.lock(context, id);
      const versionId = dto.api === undefined ? null : await this.versionId(context, dto.api, dto.version!, false);
      const where = and(eq(rateLimits.consumerId, id), versionId === null ? isNull(rateLimits.apiVersionId) : eq(rateLimits.apiVersionId, versionId));
      const [before] = await context.tx.select().from(rateLimits).where(where);
      const values = { readPerMinute: dto.readPerMinute, writePerMinute: dto.writePerMinute, updatedAt: context.now };
      if (before === undefined) await context.tx.insert(rateLimits).values({ consumerId: id, apiVersionId: versionId, ...values });
      else await context.tx.update(rateLimits).set(values).where(where);
      const after = { api: dto.api ?? null, version: dto.version ?? null, readPerMinute: dto.readPerMinute, writePerMinute: dto.writePerMinute };
      await context.audit({
        action: 'consumer.set-limit',
        targetType: 'consumer',
        targetId: id,
        before: before === undefined ? null : { readPerMinute: before.readPerMinute, writePerMinute: before.writePerMinute },
        after,
        reason: dto.reason,
      });
      return after;
    });
  }

  /** The certificate must parse, be valid now and chain to LGSP_TRUST_ANCHORS; only then is it stored. */
  async addCertificate(id: string, dto: CertificateDto, principal: AdminPrincipal, actor: Actor) {
    await this.visible(id, principal);
    const anchors = this.options.trustAnchors;
    if (anchors === undefined || anchors.length === 0) {
      throw ruleViolation('trust-anchors-missing', 'LGSP_TRUST_ANCHORS is not configured: the registry cannot check certificates, so it accepts none');
    }
    const now = this.store.now();
    const verification = verifyCertificateChain(dto.pem, anchors, now);
    if (!verification.ok) {
      throw ruleViolation(`certificate-${verification.reason}`, verification.detail, { errors: [{ location: '/pem', message: verification.detail, rule: `certificate-${verification.reason}` }] });
    }
    let leaf: ReturnType<typeof parseCertificate>;
    try {
      leaf = parseCertificate(parsePemBundle(dto.pem)[0].toString());
    } catch {
      throw ruleViolation('certificate-malformed', 'The PEM holds no readable certificate');
    }
    return this.store.write(actor, { notifyGateways: true }, async (context) => {
      await this.lock(context, id);
      const [taken] = await context.tx
        .select({ id: certificates.id })
        .from(certificates)
        .where(eq(certificates.fingerprintSha256, leaf.fingerprintSha256))
        .limit(1);
      if (taken !== undefined) throw new LgspError(ErrorCode.Conflict, `This certificate is already registered as ${taken.id}`);
      const [existing] = await context.tx.select({ id: certificates.id }).from(certificates).where(eq(certificates.id, dto.id)).limit(1);
      if (existing !== undefined) throw new LgspError(ErrorCode.Conflict, `A certificate with keyid ${dto.id} already exists`);
      const { notBefore, notAfter } = certificateValidity(verification.chain[0]);
      const row = {
        id: dto.id,
        consumerId: id,
        pem: leaf.pem,
        fingerprintSha256: leaf.fingerprintSha256,
        subject: leaf.subject,
        issuer: leaf.issuer,
        serialNumber: leaf.serialNumber,
        notBefore,
        notAfter,
      };
      await context.tx.insert(certificates).values(row);
      const view = { id: row.id, consumerId: id, fingerprintSha256: row.fingerprintSha256, subject: row.subject, issuer: row.issuer, notBefore, notAfter, status: 'active' };
      await context.audit({ action: 'consumer.add-certificate', targetType: 'consumer', targetId: id, after: view });
      return view;
    });
  }

  async revokeCertificate(id: string, keyId: string, principal: AdminPrincipal, reason: string, actor: Actor) {
    await this.visible(id, principal);
    return this.store.write(actor, { notifyGateways: true }, async (context) => {
      const rows = await context.tx
        .update(certificates)
        .set({ status: 'revoked', updatedAt: context.now })
        .where(and(eq(certificates.id, keyId), eq(certificates.consumerId, id), eq(certificates.status, 'active')))
        .returning({ id: certificates.id });
      if (rows.length === 0) throw new LgspError(ErrorCode.NotFound, `No active certificate ${keyId} of ${id}`);
      await context.audit({ action: 'consumer.revoke-certificate', targetType: 'consumer', targetId: id, before: { certificate: keyId, status: 'active' }, after: { certificate: keyId, status: 'revoked' }, reason });
    });
  }

  /** Active certificates whose validity ends within `days` (30 by default), soonest first; expired ones included. */
  async expiringCertificates(days = CERTIFICATE_EXPIRY_WARNING_DAYS) {
    const now = this.store.now();
    const horizon = new Date(now.getTime() + days * 86_400_000);
    const rows = await this.store.db
      .select({ id: certificates.id, consumerId: certificates.consumerId, subject: certificates.subject, notAfter: certificates.notAfter })
      .from(certificates)
      .where(and(eq(certificates.status, 'active'), lt(certificates.notAfter, horizon)))
      .orderBy(asc(certificates.notAfter));
    return rows.map((row) => ({ ...row, expired: row.notAfter.getTime() <= now.getTime() }));
  }

  private async visible(id: string, principal: AdminPrincipal): Promise<ConsumerRow> {
    const [consumer] = await this.store.db.select().from(consumerSystems).where(eq(consumerSystems.id, id)).limit(1);
    const mine = hasRole(principal, 'dgo-admin') || (principal.organisation !== undefined && consumer?.organisation === principal.organisation && hasRole(principal, 'consumer'));
    if (consumer === undefined || !mine) throw new LgspError(ErrorCode.NotFound, `No consumer system ${id} that you may see`);
    return consumer;
  }

  private async lock(context: WriteContext, id: string): Promise<ConsumerRow> {
    const [consumer] = await context.tx.select().from(consumerSystems).where(eq(consumerSystems.id, id)).for('update').limit(1);
    if (consumer === undefined) throw new LgspError(ErrorCode.NotFound, `No consumer system ${id}`);
    return consumer;
  }

  private async versionId(context: WriteContext, domain: string, version: string, mustBeServable: boolean): Promise<string> {
    const [row] = await context.tx
      .select({ id: apiVersions.id, status: apiVersions.status })
      .from(apiVersions)
      .innerJoin(apis, eq(apiVersions.apiId, apis.id))
      .where(and(eq(apis.domain, domain), eq(apiVersions.version, version)))
      .limit(1);
    if (row === undefined) throw new LgspError(ErrorCode.NotFound, `No API ${domain} ${version}`);
    if (mustBeServable && row.status !== 'published' && row.status !== 'deprecated') {
      throw ruleViolation('api-not-published', `${domain} ${version} is ${row.status}: only published or deprecated versions take subscriptions`);
    }
    return row.id;
  }
}
