import { auditLog, consumerSystems, notifications } from '@lgsp/data';
import { Controller, DefaultValuePipe, Get, Inject, Param, ParseIntPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { and, asc, desc, eq, gt, lt, type SQL } from 'drizzle-orm';
import { ErrorCode, LgspError } from '@lgsp/contracts';

import { Admin, Principal } from '../auth/admin.decorator';
import { type AdminPrincipal, hasRole } from '../auth/admin-principal.type';
import { RegistryStore } from '../store/registry-store.service';

@ApiTags('audit')
@Controller('admin/v1')
export class AuditController {
  constructor(@Inject(RegistryStore) private readonly store: RegistryStore) {}

  /** The audit trail, newest first; page with `before` (an entry id). */
  @Get('audit')
  @Admin('dgo-admin', 'soc-analyst')
  async audit(
    @Query('targetType') targetType: string | undefined,
    @Query('targetId') targetId: string | undefined,
    @Query('before', new DefaultValuePipe(0), ParseIntPipe) before: number,
    @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number,
  ) {
    const conditions: SQL[] = [];
    if (targetType !== undefined) conditions.push(eq(auditLog.targetType, targetType));
    if (targetId !== undefined) conditions.push(eq(auditLog.targetId, targetId));
    if (before > 0) conditions.push(lt(auditLog.id, before));
    return this.store.db
      .select()
      .from(auditLog)
      .where(and(...conditions))
      .orderBy(desc(auditLog.id))
      .limit(Math.min(Math.max(limit, 1), 1000));
  }

  /** What a consumer system is told (deprecations, retirements), oldest first; poll with `after` (the last id read). */
  @Get('consumers/:id/notifications')
  @Admin('dgo-admin', 'consumer')
  async notifications(@Param('id') id: string, @Query('after', new DefaultValuePipe(0), ParseIntPipe) after: number, @Principal() principal: AdminPrincipal) {
    const [consumer] = await this.store.db.select({ organisation: consumerSystems.organisation }).from(consumerSystems).where(eq(consumerSystems.id, id)).limit(1);
    const mine = hasRole(principal, 'dgo-admin') || (principal.organisation !== undefined && consumer?.organisation === principal.organisation);
    if (consumer === undefined || !mine) throw new LgspError(ErrorCode.NotFound, `No consumer system ${id} that you may see`);
    return this.store.db
      .select({ id: notifications.id, kind: notifications.kind, title: notifications.title, detail: notifications.detail, createdAt: notifications.createdAt })
      .from(notifications)
      .where(and(eq(notifications.consumerId, id), gt(notifications.id, after)))
      .orderBy(asc(notifications.id))
      .limit(500);
  }
}
