import { type AdminPrincipal, hasRole } from '@lgsp/admin-auth';
import { ErrorCode, LgspError } from '@lgsp/contracts';
import { auditLog, consumerSystems, notifications } from '@lgsp/data';
import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gt, lt, type SQL } from 'drizzle-orm';

import { RegistryStore } from '../store/registry-store.service';

export interface AuditQuery {
  readonly targetType?: string;
  readonly targetId?: string;
  /** Entries older than this id (paging backwards). */
  readonly before: number;
  readonly limit: number;
}

/** Reads of the audit trail and of consumers' notification feeds. */
@Injectable()
export class AuditService {
  constructor(@Inject(RegistryStore) private readonly store: RegistryStore) {}

  async entries(query: AuditQuery) {
    const conditions: SQL[] = [];
    if (query.targetType !== undefined) conditions.push(eq(auditLog.targetType, query.targetType));
    if (query.targetId !== undefined) conditions.push(eq(auditLog.targetId, query.targetId));
    if (query.before > 0) conditions.push(lt(auditLog.id, query.before));
    return this.store.db
      .select()
      .from(auditLog)
      .where(and(...conditions))
      .orderBy(desc(auditLog.id))
      .limit(query.limit);
  }

  async notifications(consumerId: string, after: number, principal: AdminPrincipal) {
    const [consumer] = await this.store.db.select({ organisation: consumerSystems.organisation }).from(consumerSystems).where(eq(consumerSystems.id, consumerId)).limit(1);
    const mine = hasRole(principal, 'dgo-admin') || (principal.organisation !== undefined && consumer?.organisation === principal.organisation);
    if (consumer === undefined || !mine) throw new LgspError(ErrorCode.NotFound, `No consumer system ${consumerId} that you may see`);
    return this.store.db
      .select({ id: notifications.id, kind: notifications.kind, title: notifications.title, detail: notifications.detail, createdAt: notifications.createdAt })
      .from(notifications)
      .where(and(eq(notifications.consumerId, consumerId), gt(notifications.id, after)))
      .orderBy(asc(notifications.id))
      .limit(500);
  }
}
