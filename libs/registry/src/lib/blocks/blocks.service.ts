import type { Actor } from '@lgsp/admin-auth';
import { ErrorCode, LgspError, ruleViolation } from '@lgsp/contracts';
import { apis, apiVersions, blocks } from '@lgsp/data';
import { operationsOf, type OpenApiDocument } from '@lgsp/openapi';
import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gt, isNull, or } from 'drizzle-orm';

import { RegistryStore } from '../store/registry-store.service';
import type { CreateBlockDto } from './dto/block.dto';

type BlockRow = typeof blocks.$inferSelect;

/** Kill switches: the DGO stops a provider, a version or an operation at once, outside the lifecycle rules. */
@Injectable()
export class BlocksService {
  constructor(@Inject(RegistryStore) private readonly store: RegistryStore) {}

  async list(all: boolean) {
    const now = this.store.now();
    const rows = await this.store.db
      .select({ block: blocks, domain: apis.domain, version: apiVersions.version })
      .from(blocks)
      .leftJoin(apiVersions, eq(blocks.apiVersionId, apiVersions.id))
      .leftJoin(apis, eq(apiVersions.apiId, apis.id))
      .where(all ? undefined : and(isNull(blocks.liftedAt), or(isNull(blocks.endsAt), gt(blocks.endsAt, now))))
      .orderBy(all ? desc(blocks.createdAt) : asc(blocks.startsAt));
    return rows.map(({ block, domain, version }) => this.viewOf(block, domain, version));
  }

  async create(dto: CreateBlockDto, actor: Actor) {
    const startsAt = dto.startsAt === undefined ? this.store.now() : new Date(dto.startsAt);
    const endsAt = dto.endsAt === undefined ? null : new Date(dto.endsAt);
    if (endsAt !== null && endsAt <= startsAt) throw ruleViolation('block-window', 'endsAt must be after startsAt');
    return this.store.write(actor, { notifyGateways: true }, async (context) => {
      let apiVersionId: string | null = null;
      if (dto.scope === 'provider') {
        if (dto.provider === undefined || dto.api !== undefined || dto.operation !== undefined) throw ruleViolation('block-target', 'A provider block names the provider only');
        const [known] = await context.tx.select({ id: apis.id }).from(apis).where(eq(apis.provider, dto.provider)).limit(1);
        if (known === undefined) throw new LgspError(ErrorCode.NotFound, `No API of provider ${dto.provider}`);
      } else {
        if (dto.api === undefined || dto.version === undefined || dto.provider !== undefined) throw ruleViolation('block-target', `A ${dto.scope} block names api and version`);
        if ((dto.scope === 'operation') !== (dto.operation !== undefined)) throw ruleViolation('block-target', 'Only an operation block names an operation');
        const [found] = await context.tx
          .select({ id: apiVersions.id, openapi: apiVersions.openapi, classification: apiVersions.classification })
          .from(apiVersions)
          .innerJoin(apis, eq(apiVersions.apiId, apis.id))
          .where(and(eq(apis.domain, dto.api), eq(apiVersions.version, dto.version)))
          .limit(1);
        if (found === undefined) throw new LgspError(ErrorCode.NotFound, `No API ${dto.api} ${dto.version}`);
        if (dto.operation !== undefined) {
          const operations = found.openapi === null ? [] : operationsOf(found.openapi as unknown as OpenApiDocument, found.classification).operations;
          if (!operations.some((o) => o.key === dto.operation)) throw ruleViolation('operation-unknown', `${dto.api} ${dto.version} has no operation ${dto.operation}`);
        }
        apiVersionId = found.id;
      }
      const [row] = await context.tx
        .insert(blocks)
        .values({
          scope: dto.scope,
          provider: dto.provider ?? null,
          apiVersionId,
          operation: dto.operation ?? null,
          reason: dto.reason,
          startsAt,
          endsAt,
          createdBy: actor.id,
        })
        .returning();
      const view = this.viewOf(row, dto.api ?? null, dto.version ?? null);
      await context.audit({ action: 'block.create', targetType: 'block', targetId: row.id, after: view, reason: dto.reason });
      return view;
    });
  }

  async lift(id: string, reason: string, actor: Actor) {
    return this.store.write(actor, { notifyGateways: true }, async (context) => {
      const rows = await context.tx
        .update(blocks)
        .set({ liftedAt: context.now, liftedBy: actor.id })
        .where(and(eq(blocks.id, id), isNull(blocks.liftedAt)))
        .returning();
      if (rows.length === 0) throw new LgspError(ErrorCode.NotFound, `No block ${id} in force`);
      await context.audit({ action: 'block.lift', targetType: 'block', targetId: id, before: { liftedAt: null }, after: { liftedAt: context.now.toISOString() }, reason });
      const [target] =
        rows[0].apiVersionId === null
          ? [undefined]
          : await context.tx
              .select({ domain: apis.domain, version: apiVersions.version })
              .from(apiVersions)
              .innerJoin(apis, eq(apiVersions.apiId, apis.id))
              .where(eq(apiVersions.id, rows[0].apiVersionId));
      return this.viewOf(rows[0], target?.domain ?? null, target?.version ?? null);
    });
  }

  private viewOf(row: BlockRow, api: string | null, version: string | null) {
    return {
      id: row.id,
      scope: row.scope,
      provider: row.provider,
      api,
      version,
      operation: row.operation,
      reason: row.reason,
      startsAt: row.startsAt.toISOString(),
      endsAt: row.endsAt?.toISOString() ?? null,
      createdBy: row.createdBy,
      liftedAt: row.liftedAt?.toISOString() ?? null,
      liftedBy: row.liftedBy,
    };
  }
}
