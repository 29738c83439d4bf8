import { randomBytes } from 'node:crypto';

import { type Actor, type AdminPrincipal, hasRole } from '@lgsp/admin-auth';
import { ErrorCode, Header, LgspError, ruleViolation } from '@lgsp/contracts';
import { consumerSystems, hashSecret, rateLimits, registrations, verifySecret } from '@lgsp/data';
import { Inject, Injectable } from '@nestjs/common';
import { and, asc, count, eq, gt, lt, type SQL, sql } from 'drizzle-orm';

import { REGISTRY_OPTIONS, type RegistryModuleOptions } from '../registry-options.type';
import { dueDateOf } from '../rules/working-days.util';
import { RegistryStore, type WriteContext } from '../store/registry-store.service';
import { type IssuedCredential, issueCredentialIn, requestableApiVersions, subscribeIn } from '../store/registry-queries.util';
import type { CreateRegistrationDto } from './dto/create-registration.dto';
import type { ApproveRegistrationDto, ProductionRequestDto } from './dto/registration-decision.dto';
import { registrationRuleViolations } from './registration.rules';

/** The DGO answers a registration within this many working days. */
export const REGISTRATION_ANSWER_WORKING_DAYS = 5;
const HOUR_MS = 3_600_000;

type RegistrationRow = typeof registrations.$inferSelect;

/** A registration as the API shows it: never the follow-up secret's hash or the submitter's IP. */
export interface RegistrationView {
  readonly reference: string;
  readonly status: RegistrationRow['status'];
  readonly organisation: string | null;
  readonly form: Record<string, unknown>;
  readonly consumerId: string | null;
  readonly submittedAt: string;
  readonly dueAt: string;
  readonly overdue: boolean;
  readonly decidedAt: string | null;
  readonly decidedBy: string | null;
  readonly decisionNote: string | null;
  readonly sandboxIssuedAt: string | null;
  readonly sandboxTestsDoneAt: string | null;
  readonly productionRequest: Record<string, unknown> | null;
  readonly productionRequestedAt: string | null;
  readonly productionApprovedAt: string | null;
}

export interface SubmittedRegistration {
  readonly reference: string;
  /** Shown once: with the reference, it lets an unauthenticated submitter follow its registration. */
  readonly followUpSecret: string;
  readonly status: 'submitted';
  readonly dueAt: string;
}

export interface CredentialsIssued {
  readonly registration: RegistrationView;
  readonly credential: IssuedCredential;
  readonly subscriptions: readonly string[];
  /** Approved data rows whose API version is no longer published: not subscribed. */
  readonly skipped: readonly string[];
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/**
 * Form 01 through the DGO's workflow: submitted → approved | rejected → sandbox credentials →
 * production requested (attestation, form 02, sandbox tests done) → production credentials.
 * Each step checks the state it starts from inside its transaction (row lock), so two admins
 * acting at once cannot both move one registration.
 */
@Injectable()
export class RegistrationsService {
  constructor(
    @Inject(RegistryStore) private readonly store: RegistryStore,
    @Inject(REGISTRY_OPTIONS) private readonly options: RegistryModuleOptions,
  ) {}

  async submit(form: CreateRegistrationDto, principal: AdminPrincipal | undefined, actor: Actor, ip: string): Promise<SubmittedRegistration> {
    const { throttling } = this.options.config;
    const violations = registrationRuleViolations(form, {
      apis: await requestableApiVersions(this.store.db),
      defaultReadPerMinute: throttling.readPerMinute,
      defaultWritePerMinute: throttling.writePerMinute,
    });
    if (violations.length > 0) {
      throw ruleViolation(violations[0].rule ?? 'registration', `The registration breaks ${violations.length === 1 ? 'a rule' : `${violations.length} rules`}: ${violations.map((v) => v.message).join('; ')}`, {
        errors: violations,
      });
    }
    // Only an authenticated admin vouches for a unit: an anonymous submitter's organisation id is a
    // claim the DGO confirms at approval, so it gives that unit's admins no access before then.
    const organisation =
      principal === undefined ? null : hasRole(principal, 'dgo-admin') ? (form.organisation.id ?? null) : (principal.organisation ?? null);
    const followUpSecret = randomBytes(24).toString('base64url');
    return this.store.write(actor, { notifyGateways: false }, async ({ tx, now, audit }) => {
      if (principal === undefined) await this.limitAnonymous(tx, ip, now);
      const dueAt = dueDateOf(now, REGISTRATION_ANSWER_WORKING_DAYS, this.options.holidays ?? new Set(this.options.config.registry.holidays));
      const reference = await this.freeReference(tx, now);
      await tx.insert(registrations).values({
        reference,
        followUpSecretHash: hashSecret(followUpSecret, this.options.pepper),
        organisation,
        form: form as unknown as Record<string, unknown>,
        submittedBy: principal?.clientId ?? null,
        submitterIp: ip,
        submittedAt: now,
        dueAt,
      });
      await audit({ action: 'registration.submit', targetType: 'registration', targetId: reference, after: { status: 'submitted', organisation, system: form.system.name } });
      return { reference, followUpSecret, status: 'submitted' as const, dueAt: dueAt.toISOString() };
    });
  }

  /** An admin of the right unit, or anyone holding the follow-up secret; anyone else learns nothing, not even that it exists. */
  async get(reference: string, principal: AdminPrincipal | undefined, followUpSecret: string | undefined): Promise<RegistrationView> {
    const [row] = await this.store.db.select().from(registrations).where(eq(registrations.reference, reference)).limit(1);
    const visible =
      row !== undefined &&
      (this.mayManage(principal, row) || (followUpSecret !== undefined && verifySecret(followUpSecret, row.followUpSecretHash, this.options.pepper)));
    if (!visible) throw new LgspError(ErrorCode.NotFound, `No registration ${reference} that you may read`);
    return this.viewOf(row);
  }

  async list(principal: AdminPrincipal, filter: { status?: RegistrationRow['status']; overdue?: boolean }): Promise<RegistrationView[]> {
    const conditions: SQL[] = [];
    if (!hasRole(principal, 'dgo-admin')) {
      if (principal.organisation === undefined) return [];
      conditions.push(eq(registrations.organisation, principal.organisation));
    }
    if (filter.status !== undefined) conditions.push(eq(registrations.status, filter.status));
    if (filter.overdue === true) conditions.push(eq(registrations.status, 'submitted'), lt(registrations.dueAt, this.store.now()));
    const rows = await this.store.db
      .select()
      .from(registrations)
      .where(and(...conditions))
      .orderBy(asc(registrations.dueAt), asc(registrations.reference))
      .limit(1000);
    return rows.map((row) => this.viewOf(row));
  }

  async approve(reference: string, decision: ApproveRegistrationDto, actor: Actor): Promise<RegistrationView> {
    return this.store.write(actor, { notifyGateways: true }, async (context) => {
      const row = await this.lockFor(context, reference, 'submitted', 'approved');
      const form = row.form as unknown as CreateRegistrationDto;
      const apis = await requestableApiVersions(context.tx);
      const missing = form.data.filter((d) => !apis.has(`${d.api} ${d.version}`));
      if (missing.length > 0) {
        throw ruleViolation('api-unknown', `Requested APIs are no longer published: ${missing.map((d) => `${d.api} ${d.version}`).join(', ')}`);
      }
      const [existing] = await context.tx.select({ id: consumerSystems.id }).from(consumerSystems).where(eq(consumerSystems.id, decision.consumerId)).limit(1);
      if (existing !== undefined) throw new LgspError(ErrorCode.Conflict, `A consumer system ${decision.consumerId} already exists`);
      const organisation = decision.organisation ?? row.organisation ?? form.organisation.id ?? null;
      await context.tx.insert(consumerSystems).values({
        id: decision.consumerId,
        name: form.system.name,
        organisation,
        securityLevel: form.security.level,
        maxClassification: form.maxClassification === 'tuyet-mat' ? null : form.maxClassification,
        connectionOption: form.connectionOption,
      });
      const limits = form.limits;
      if (decision.grantLimits === true && limits !== undefined) {
        const { readPerMinute, writePerMinute } = this.options.config.throttling;
        await context.tx.insert(rateLimits).values({
          consumerId: decision.consumerId,
          readPerMinute: Math.max(limits.readPerMinute ?? readPerMinute, 1),
          writePerMinute: Math.max(limits.writePerMinute ?? writePerMinute, 1),
        });
      }
      return this.update(context, row, 'registration.approve', {
        status: 'approved',
        consumerId: decision.consumerId,
        organisation,
        decidedAt: context.now,
        decidedBy: actor.id,
        decisionNote: decision.note ?? null,
      });
    });
  }

  async reject(reference: string, reason: string, actor: Actor): Promise<RegistrationView> {
    return this.store.write(actor, { notifyGateways: false }, async (context) => {
      const row = await this.lockFor(context, reference, 'submitted', 'rejected');
      return this.update(context, row, 'registration.reject', { status: 'rejected', decidedAt: context.now, decidedBy: actor.id, decisionNote: reason }, reason);
    });
  }

  async issueSandbox(reference: string, actor: Actor): Promise<CredentialsIssued> {
    return this.issue(reference, actor, 'approved', 'sandbox');
  }

  async markSandboxTestsDone(reference: string, principal: AdminPrincipal, actor: Actor): Promise<RegistrationView> {
    return this.store.write(actor, { notifyGateways: false }, async (context) => {
      const row = await this.lockFor(context, reference, 'sandbox', 'sandbox tests done', principal);
      return this.update(context, row, 'registration.sandbox-tests-done', { sandboxTestsDoneAt: context.now });
    });
  }

  async requestProduction(reference: string, request: ProductionRequestDto, principal: AdminPrincipal, actor: Actor): Promise<RegistrationView> {
    return this.store.write(actor, { notifyGateways: false }, async (context) => {
      const row = await this.lockFor(context, reference, 'sandbox', 'production-requested', principal);
      if (row.sandboxTestsDoneAt === null) {
        throw ruleViolation('sandbox-tests-not-done', 'Production access is requested only after the sandbox tests are marked done');
      }
      return this.update(context, row, 'registration.request-production', {
        status: 'production-requested',
        productionRequest: request as unknown as Record<string, unknown>,
        productionRequestedAt: context.now,
      });
    });
  }

  async approveProduction(reference: string, actor: Actor): Promise<CredentialsIssued> {
    return this.issue(reference, actor, 'production-requested', 'production');
  }

  private async issue(reference: string, actor: Actor, from: RegistrationRow['status'], environment: 'sandbox' | 'production'): Promise<CredentialsIssued> {
    return this.store.write(actor, { notifyGateways: true }, async (context) => {
      const row = await this.lockFor(context, reference, from, environment);
      const consumerId = row.consumerId;
      if (consumerId === null) throw new LgspError(ErrorCode.Conflict, `Registration ${reference} has no consumer system (it was removed)`);
      const [consumer] = await context.tx.select().from(consumerSystems).where(eq(consumerSystems.id, consumerId)).limit(1);
      if (consumer?.status !== 'active') throw new LgspError(ErrorCode.Conflict, `Consumer system ${consumerId} is ${consumer?.status ?? 'gone'}`);
      const form = row.form as unknown as CreateRegistrationDto;
      const apis = await requestableApiVersions(context.tx);
      const wanted = form.data.map((d) => `${d.api} ${d.version}`).filter((key, i, all) => all.indexOf(key) === i);
      const available = wanted.filter((key) => apis.has(key));
      await subscribeIn(context.tx, consumerId, available.map((key) => apis.get(key)!.id), environment);
      const credential = await issueCredentialIn(context.tx, consumerId, environment, this.options.pepper);
      const patch: Partial<RegistrationRow> =
        environment === 'sandbox'
          ? { status: 'sandbox', sandboxIssuedAt: context.now }
          : { status: 'production', productionApprovedAt: context.now, productionApprovedBy: actor.id };
      const registration = await this.update(context, row, `registration.issue-${environment}-credentials`, patch, undefined, {
        clientId: credential.clientId,
        environment,
        subscriptions: available,
      });
      return { registration, credential, subscriptions: available, skipped: wanted.filter((key) => !apis.has(key)) };
    });
  }

  private async lockFor(context: WriteContext, reference: string, from: RegistrationRow['status'], step: string, principal?: AdminPrincipal): Promise<RegistrationRow> {
    const [row] = await context.tx.select().from(registrations).where(eq(registrations.reference, reference)).for('update').limit(1);
    if (row === undefined || (principal !== undefined && !this.mayManage(principal, row))) throw new LgspError(ErrorCode.NotFound, `No registration ${reference} that you may change`);
    if (row.status !== from) throw new LgspError(ErrorCode.Conflict, `Registration ${reference} is ${row.status}; ${step} needs it ${from}`);
    return row;
  }

  private async update(
    context: WriteContext,
    row: RegistrationRow,
    action: string,
    patch: Partial<RegistrationRow>,
    reason?: string,
    extra?: Record<string, unknown>,
  ): Promise<RegistrationView> {
    const [updated] = await context.tx
      .update(registrations)
      .set({ ...patch, updatedAt: context.now })
      .where(eq(registrations.id, row.id))
      .returning();
    await context.audit({
      action,
      targetType: 'registration',
      targetId: row.reference,
      before: { status: row.status },
      after: { status: updated.status, ...this.changedFields(patch), ...extra },
      reason,
    });
    return this.viewOf(updated);
  }

  private changedFields(patch: Partial<RegistrationRow>): Record<string, unknown> {
    const { status: _status, updatedAt: _updatedAt, ...rest } = patch;
    return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
  }

  /** At most LGSP_REGISTRATIONS_PER_HOUR submissions per IP and hour without credentials, counted in the table every replica shares. */
  private async limitAnonymous(tx: WriteContext['tx'], ip: string, now: Date): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`lgsp-registration-ip:${ip}`}))`);
    const since = new Date(now.getTime() - HOUR_MS);
    const [{ n, oldest }] = await tx
      .select({ n: count(), oldest: sql<string | null>`min(${registrations.submittedAt})` })
      .from(registrations)
      .where(and(eq(registrations.submitterIp, ip), gt(registrations.submittedAt, since), sql`${registrations.submittedBy} is null`));
    const limit = this.options.config.registry.registrationsPerHour;
    if (n < limit) return;
    const retryAfter = Math.max(1, Math.ceil((new Date(oldest!).getTime() + HOUR_MS - now.getTime()) / 1000));
    throw new LgspError(ErrorCode.RateLimited, `At most ${limit} registrations per hour may be submitted without credentials from one address`, undefined, {
      [Header.retryAfter]: String(retryAfter),
    });
  }

  private async freeReference(tx: WriteContext['tx'], now: Date): Promise<string> {
    const day = now.toISOString().slice(0, 10).replaceAll('-', '');
    for (;;) {
      const reference = `REG-${day}-${randomBytes(4).toString('hex').toUpperCase()}`;
      const [taken] = await tx.select({ id: registrations.id }).from(registrations).where(eq(registrations.reference, reference)).limit(1);
      if (taken === undefined) return reference;
    }
  }

  private mayManage(principal: AdminPrincipal | undefined, row: RegistrationRow): boolean {
    if (principal === undefined) return false;
    if (hasRole(principal, 'dgo-admin')) return true;
    return hasRole(principal, 'consumer') && principal.organisation !== undefined && principal.organisation === row.organisation;
  }

  private viewOf(row: RegistrationRow): RegistrationView {
    return {
      reference: row.reference,
      status: row.status,
      organisation: row.organisation,
      form: row.form,
      consumerId: row.consumerId,
      submittedAt: row.submittedAt.toISOString(),
      dueAt: row.dueAt.toISOString(),
      overdue: row.status === 'submitted' && row.dueAt.getTime() < this.store.now().getTime(),
      decidedAt: iso(row.decidedAt),
      decidedBy: row.decidedBy,
      decisionNote: row.decisionNote,
      sandboxIssuedAt: iso(row.sandboxIssuedAt),
      sandboxTestsDoneAt: iso(row.sandboxTestsDoneAt),
      productionRequest: row.productionRequest,
      productionRequestedAt: iso(row.productionRequestedAt),
      productionApprovedAt: iso(row.productionApprovedAt),
    };
  }
}
