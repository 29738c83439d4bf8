import { Admin, type AdminPrincipal, Principal } from '@lgsp/admin-auth';
import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { ReconciliationQueryDto, StatementQueryDto } from './dto/statement-query.dto';
import { ReconciliationsService } from './reconciliations.service';
import { STATEMENT_SIGNATURE_HEADER } from './statement-signature.util';
import { type SignedBody, StatementsService } from './statements.service';

export const STATEMENT_ID_HEADER = 'x-lgsp-statement-id';

function send(reply: FastifyReply, signed: SignedBody): Buffer {
  reply.type(signed.contentType).header(STATEMENT_SIGNATURE_HEADER, signed.signature);
  if (signed.id !== undefined) reply.header(STATEMENT_ID_HEADER, signed.id);
  return signed.body;
}

@ApiTags('ledger')
@Controller('admin/v1/ledger')
export class StatementsController {
  constructor(
    @Inject(StatementsService) private readonly statements: StatementsService,
    @Inject(ReconciliationsService) private readonly reconciliations: ReconciliationsService,
  ) {}

  @Get('statements')
  @Admin('soc-analyst', 'dgo-admin', 'provider', 'consumer')
  async statement(@Query() query: StatementQueryDto, @Principal() principal: AdminPrincipal, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    return send(reply, await this.statements.statement(query, principal));
  }

  @Post('reconciliations')
  @HttpCode(200)
  @Admin('soc-analyst', 'dgo-admin', 'provider', 'consumer')
  async reconcile(
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @Query() query: ReconciliationQueryDto,
    @Principal() principal: AdminPrincipal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    return send(reply, await this.reconciliations.reconcile(contentType, body, query, principal));
  }
}
