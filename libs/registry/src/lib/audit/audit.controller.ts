import { Admin, type AdminPrincipal, Principal } from '@lgsp/admin-auth';
import { Controller, DefaultValuePipe, Get, Inject, Param, ParseIntPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('admin/v1')
export class AuditController {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  /** The audit trail, newest first; page with `before` (an entry id); at most 1000 entries per page. */
  @Get('audit')
  @Admin('dgo-admin', 'soc-analyst')
  entries(
    @Query('targetType') targetType: string | undefined,
    @Query('targetId') targetId: string | undefined,
    @Query('before', new DefaultValuePipe(0), ParseIntPipe) before: number,
    @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number,
  ) {
    return this.audit.entries({ targetType, targetId, before, limit: Math.min(Math.max(limit, 1), 1000) });
  }

  /** What a consumer system is told (deprecations, retirements), oldest first; poll with `after` (the last id read). */
  @Get('consumers/:id/notifications')
  @Admin('dgo-admin', 'consumer')
  notifications(@Param('id') id: string, @Query('after', new DefaultValuePipe(0), ParseIntPipe) after: number, @Principal() principal: AdminPrincipal) {
    return this.audit.notifications(id, after, principal);
  }
}
