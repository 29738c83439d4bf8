import { type Actor, type AdminPrincipal, hasRole } from '@lgsp/admin-auth';
import { ErrorCode, LgspError, type ProblemItem, ruleViolation } from '@lgsp/contracts';
import { apis, apiVersions, canonicalJsonSha256, notifications, subscriptions, versionNumber } from '@lgsp/data';
import { diffOpenApi, type OpenApiDocument, operationsOf, validateOpenApiDocument } from '@lgsp/openapi';
import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, inArray } from 'drizzle-orm';

import { checkLifecycleTransition, type LifecycleSuccessor, type LifecycleTarget } from '../rules/lifecycle.rules';
import { RegistryStore, type WriteContext } from '../store/registry-store.service';
import type { LifecycleDto, RegisterApiVersionDto } from './dto/api-version.dto';

type ApiRow = typeof apis.$inferSelect;
type VersionRow = typeof apiVersions.$inferSelect;

/** What a listing shows of a version: everything but its (possibly large) description documents. */
const SUMMARY_COLUMNS = {
  version: apiVersions.version,
  kind: apiVersions.kind,
  status: apiVersions.status,
  classification: apiVersions.classification,
  upstreamSandbox: apiVersions.upstreamSandbox,
  upstreamProduction: apiVersions.upstreamProduction,
  readTimeoutMs: apiVersions.readTimeoutMs,
  writeTimeoutMs: apiVersions.writeTimeoutMs,
  sunset: apiVersions.sunset,
  publishedAt: apiVersions.publishedAt,
  deprecatedAt: apiVersions.deprecatedAt,
  retiredAt: apiVersions.retiredAt,
  openapiSha256: apiVersions.openapiSha256,
};
type VersionSummaryRow = Pick<VersionRow, keyof typeof SUMMARY_COLUMNS>;

const problemItems = (problems: readonly { pointer: string; message: string }[], rule: string): ProblemItem[] =>
  problems.map((p) => ({ location: p.pointer, message: p.message, rule }));

/**
 * Provider APIs: versions registered from OpenAPI 3.0 documents (or SOAP by WSDL), changed only
 * compatibly once published, and moved through draft → published → deprecated → retired under the
 * guidance's 180-day overlap and 60-day notice rules.
 */
@Injectable()
export class ApisService {
  constructor(@Inject(RegistryStore) private readonly store: RegistryStore) {}

  async list(principal: AdminPrincipal) {
    const rows = await this.store.db
      .select({ api: apis, version: SUMMARY_COLUMNS })
      .from(apiVersions)
      .innerJoin(apis, eq(apiVersions.apiId, apis.id))
      .orderBy(asc(apis.domain), asc(apiVersions.version));
    return rows
      .filter(({ api, version }) => this.maySee(principal, api, version))
      .map(({ api, version }) => this.summaryOf(api, version));
  }

  async get(domain: string, version: string, principal: AdminPrincipal) {
    const { api, row } = await this.find(this.store.db, domain, version);
    if (!this.maySee(principal, api, row)) throw new LgspError(ErrorCode.NotFound, `No API ${domain} ${version}`);
    const operations = row.openapi === null ? [] : operationsOf(row.openapi as unknown as OpenApiDocument, row.classification).operations;
    return { ...this.summaryOf(api, row), openapi: row.openapi, wsdlUrl: row.wsdlUrl, soapReadActions: row.soapReadActions, operations };
  }

  async register(domain: string, dto: RegisterApiVersionDto, principal: AdminPrincipal, actor: Actor) {
    const provider = this.providerFor(principal, dto.provider);
    const kind = dto.kind ?? 'rest';
    const description = await this.describe(kind, dto.openapi, dto.wsdlUrl, dto.classification);
    return this.store.write(actor, { notifyGateways: false }, async (context) => {
      let [api] = await context.tx.select().from(apis).where(eq(apis.domain, domain)).for('update').limit(1);
      if (api === undefined) {
        if (provider === undefined) throw ruleViolation('provider-required', `${domain} is a new API: name its provider unit`);
        [api] = await context.tx.insert(apis).values({ domain, provider, name: dto.name ?? null }).returning();
      } else if (!this.owns(principal, api)) {
        throw new LgspError(ErrorCode.Forbidden, `${domain} belongs to another provider unit`);
      }
      const [existing] = await context.tx.select({ id: apiVersions.id }).from(apiVersions).where(and(eq(apiVersions.apiId, api.id), eq(apiVersions.version, dto.version))).limit(1);
      if (existing !== undefined) throw new LgspError(ErrorCode.Conflict, `${domain} ${dto.version} already exists: change its document, or register a new version`);
      const [row] = await context.tx
        .insert(apiVersions)
        .values({
          apiId: api.id,
          version: dto.version,
          kind,
          classification: dto.classification as VersionRow['classification'],
          upstreamSandbox: dto.upstreams.sandbox,
          upstreamProduction: dto.upstreams.production,
          readTimeoutMs: dto.readTimeoutMs ?? null,
          writeTimeoutMs: dto.writeTimeoutMs ?? null,
          ...description,
          soapReadActions: kind === 'soap' ? (dto.soapReadActions ?? []) : null,
        })
        .returning();
      await context.audit({ action: 'api-version.register', targetType: 'api-version', targetId: `${domain} ${dto.version}`, after: this.summaryOf(api, row) });
      return this.summaryOf(api, row);
    });
  }

  /** Drafts take any valid document; a published or deprecated version only a compatible one. */
  async updateDocument(domain: string, version: string, document: Record<string, unknown>, principal: AdminPrincipal, actor: Actor) {
    return this.store.write(actor, { notifyGateways: true }, async (context) => {
      const { api, row } = await this.findOwned(context, domain, version, principal);
      if (row.kind !== 'rest') throw ruleViolation('not-rest', `${domain} ${version} is a SOAP service: it has no OpenAPI document`);
      if (row.status === 'retired') throw new LgspError(ErrorCode.Conflict, `${domain} ${version} is retired`);
      const description = await this.describe('rest', document, undefined, row.classification);
      if (row.status !== 'draft') {
        const breaking = diffOpenApi(row.openapi as unknown as OpenApiDocument, description.openapi as unknown as OpenApiDocument);
        if (breaking.length > 0) {
          const next = `v${versionNumber(version) + 1}`;
          throw ruleViolation(
            'breaking-change',
            `${domain} ${version} is ${row.status}: its document may only change compatibly. ${breaking.length} breaking change${breaking.length === 1 ? '' : 's'} found — ship it as a new major version (${next}).`,
            { errors: breaking.map((change) => ({ location: change.pointer, message: change.message, rule: change.rule })) },
          );
        }
      }
      if (description.openapiSha256 === row.openapiSha256) return this.summaryOf(api, row);
      const [updated] = await context.tx.update(apiVersions).set({ ...description, updatedAt: context.now }).where(eq(apiVersions.id, row.id)).returning();
      await context.audit({
        action: 'api-version.update-document',
        targetType: 'api-version',
        targetId: `${domain} ${version}`,
        before: { openapiSha256: row.openapiSha256 },
        after: { openapiSha256: updated.openapiSha256 },
      });
      return this.summaryOf(api, updated);
    });
  }

  async transition(domain: string, version: string, dto: LifecycleDto, principal: AdminPrincipal, actor: Actor) {
    return this.store.write(actor, { notifyGateways: true }, async (context) => {
      const { api, row } = await this.findOwned(context, domain, version, principal);
      const target: LifecycleTarget = dto.status === 'deprecated' ? { status: 'deprecated', sunset: dto.sunset ?? '' } : { status: dto.status };
      const successor = await this.successorOf(context, row);
      const decision = checkLifecycleTransition(
        {
          status: row.status,
          sunset: row.sunset ?? undefined,
          publishedAt: row.publishedAt ?? undefined,
          deprecatedAt: row.deprecatedAt ?? undefined,
        },
        target,
        successor,
        context.now,
      );
      if (!decision.allowed) throw ruleViolation(decision.rule, decision.detail, { earliest: decision.earliest });
      const patch: Partial<VersionRow> =
        dto.status === 'published'
          ? { status: 'published', publishedAt: row.publishedAt ?? context.now, sunset: null, deprecatedAt: null }
          : dto.status === 'deprecated'
            ? { status: 'deprecated', sunset: dto.sunset!, deprecatedAt: row.deprecatedAt ?? context.now }
            : { status: 'retired', retiredAt: context.now };
      const [updated] = await context.tx.update(apiVersions).set({ ...patch, updatedAt: context.now }).where(eq(apiVersions.id, row.id)).returning();
      await context.audit({
        action: 'api-version.lifecycle',
        targetType: 'api-version',
        targetId: `${domain} ${version}`,
        before: { status: row.status, sunset: row.sunset },
        after: { status: updated.status, sunset: updated.sunset },
      });
      if (updated.status === 'deprecated' || updated.status === 'retired') await this.notifySubscribers(context, api, updated, successor);
      return this.summaryOf(api, updated);
    });
  }

  async removeDraft(domain: string, version: string, principal: AdminPrincipal, actor: Actor): Promise<void> {
    await this.store.write(actor, { notifyGateways: false }, async (context) => {
      const { row } = await this.findOwned(context, domain, version, principal);
      if (row.status !== 'draft') throw new LgspError(ErrorCode.Conflict, `${domain} ${version} is ${row.status}: only drafts are deleted; retire it instead`);
      await context.tx.delete(apiVersions).where(eq(apiVersions.id, row.id));
      await context.audit({ action: 'api-version.delete-draft', targetType: 'api-version', targetId: `${domain} ${version}`, before: { status: 'draft' } });
    });
  }

  private async notifySubscribers(context: WriteContext, api: ApiRow, row: VersionRow, successor: LifecycleSuccessor | undefined): Promise<void> {
    const subscribers = await context.tx.selectDistinct({ consumerId: subscriptions.consumerId }).from(subscriptions).where(eq(subscriptions.apiVersionId, row.id));
    if (subscribers.length === 0) return;
    const detail = {
      api: api.domain,
      version: row.version,
      status: row.status,
      ...(row.sunset !== null && { sunset: row.sunset }),
      ...(successor !== undefined && { successor: successor.version }),
    };
    const title =
      row.status === 'deprecated'
        ? `${api.domain} ${row.version} is deprecated; it will be retired on ${row.sunset}${successor ? `. Move to ${successor.version}` : ''}`
        : `${api.domain} ${row.version} is retired`;
    await context.tx.insert(notifications).values(
      subscribers.map(({ consumerId }) => ({ consumerId, kind: `api-${row.status}`, apiVersionId: row.id, title, detail, createdAt: context.now })),
    );
  }

  /** The next higher version of the API that is published or deprecated. */
  private async successorOf(context: WriteContext, row: VersionRow): Promise<LifecycleSuccessor | undefined> {
    const siblings = await context.tx
      .select({ version: apiVersions.version, publishedAt: apiVersions.publishedAt })
      .from(apiVersions)
      .where(and(eq(apiVersions.apiId, row.apiId), inArray(apiVersions.status, ['published', 'deprecated'])));
    const later = siblings
      .filter((s) => versionNumber(s.version) > versionNumber(row.version) && s.publishedAt !== null)
      .sort((a, b) => versionNumber(a.version) - versionNumber(b.version));
    return later.length === 0 ? undefined : { version: later[0].version, publishedAt: later[0].publishedAt! };
  }

  /** Validates the description of a version: the OpenAPI document and its classifications, or the WSDL reference. */
  private async describe(kind: 'rest' | 'soap', openapi: Record<string, unknown> | undefined, wsdlUrl: string | undefined, classification: string) {
    if (classification === 'tuyet-mat') throw ruleViolation('tuyet-mat-refused', 'Tuyệt mật data never crosses the platform: such an API cannot be registered');
    if (kind === 'soap') {
      if (wsdlUrl === undefined) throw ruleViolation('wsdl-required', 'A SOAP service is registered with its WSDL URL');
      return { openapi: null, openapiSha256: null, wsdlUrl };
    }
    if (openapi === undefined) throw ruleViolation('openapi-required', 'A REST API version is registered with its OpenAPI 3.0 document');
    const validation = await validateOpenApiDocument(openapi);
    if (!validation.valid) {
      throw ruleViolation('openapi-invalid', `The OpenAPI document has ${validation.problems.length} problem${validation.problems.length === 1 ? '' : 's'}`, {
        errors: problemItems(validation.problems, 'openapi-invalid'),
      });
    }
    const { problems } = operationsOf(validation.document, classification as VersionRow['classification']);
    if (problems.length > 0) {
      throw ruleViolation('classification-refused', problems.map((p) => p.message).join('; '), { errors: problemItems(problems, 'classification-refused') });
    }
    return { openapi, openapiSha256: canonicalJsonSha256(openapi), wsdlUrl: null };
  }

  private providerFor(principal: AdminPrincipal, requested: string | undefined): string | undefined {
    if (hasRole(principal, 'dgo-admin')) return requested;
    if (principal.organisation === undefined) throw new LgspError(ErrorCode.Forbidden, 'This provider admin client has no unit');
    if (requested !== undefined && requested !== principal.organisation) throw new LgspError(ErrorCode.Forbidden, 'A provider admin registers APIs for its own unit only');
    return principal.organisation;
  }

  private owns(principal: AdminPrincipal, api: ApiRow): boolean {
    return hasRole(principal, 'dgo-admin') || (hasRole(principal, 'provider') && principal.organisation !== undefined && api.provider === principal.organisation);
  }

  private maySee(principal: AdminPrincipal, api: ApiRow, version: Pick<VersionRow, 'status'>): boolean {
    if (this.owns(principal, api) || hasRole(principal, 'soc-analyst')) return true;
    return version.status === 'published' || version.status === 'deprecated';
  }

  private async find(db: WriteContext['tx'], domain: string, version: string, lock = false): Promise<{ api: ApiRow; row: VersionRow }> {
    const query = db
      .select({ api: apis, row: apiVersions })
      .from(apiVersions)
      .innerJoin(apis, eq(apiVersions.apiId, apis.id))
      .where(and(eq(apis.domain, domain), eq(apiVersions.version, version)))
      .limit(1);
    const [found] = lock ? await query.for('update', { of: apiVersions }) : await query;
    if (found === undefined) throw new LgspError(ErrorCode.NotFound, `No API ${domain} ${version}`);
    return found;
  }

  private async findOwned(context: WriteContext, domain: string, version: string, principal: AdminPrincipal) {
    const found = await this.find(context.tx, domain, version, true);
    if (!this.owns(principal, found.api)) throw new LgspError(ErrorCode.NotFound, `No API ${domain} ${version} of your unit`);
    return found;
  }

  private summaryOf(api: ApiRow, row: VersionSummaryRow) {
    return {
      api: api.domain,
      name: api.name,
      provider: api.provider,
      version: row.version,
      kind: row.kind,
      status: row.status,
      classification: row.classification,
      upstreams: { sandbox: row.upstreamSandbox, production: row.upstreamProduction },
      readTimeoutMs: row.readTimeoutMs,
      writeTimeoutMs: row.writeTimeoutMs,
      sunset: row.sunset,
      publishedAt: row.publishedAt?.toISOString() ?? null,
      deprecatedAt: row.deprecatedAt?.toISOString() ?? null,
      retiredAt: row.retiredAt?.toISOString() ?? null,
      openapiSha256: row.openapiSha256,
    };
  }
}
