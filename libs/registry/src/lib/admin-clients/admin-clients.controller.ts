import { type Actor, Admin, type AdminPrincipal, Principal, RequestActor } from '@lgsp/admin-auth';
import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

import { ReasonDto } from '../consumers/dto/consumer.dto';
import { AdminClientsService } from './admin-clients.service';
import { CreateAdminClientDto } from './dto/admin-client.dto';

@ApiTags('admin clients and credentials')
@Controller('admin/v1')
export class AdminClientsController {
  constructor(@Inject(AdminClientsService) private readonly clients: AdminClientsService) {}

  @Get('admin-clients')
  @Admin('dgo-admin')
  list() {
    return this.clients.list();
  }

  @Post('admin-clients')
  @Admin('dgo-admin')
  create(@Body() body: CreateAdminClientDto, @RequestActor() actor: Actor) {
    return this.clients.create(body, actor);
  }

  @Post('admin-clients/:clientId/revoke')
  @HttpCode(200)
  @Admin('dgo-admin')
  revoke(@Param('clientId') clientId: string, @Body() body: ReasonDto, @RequestActor() actor: Actor) {
    return this.clients.revoke(clientId, body.reason, actor);
  }

  @Post('consumers/:id/credentials/:clientId/rotate')
  @Admin('dgo-admin', 'consumer')
  rotateCredential(@Param('id') id: string, @Param('clientId') clientId: string, @Principal() principal: AdminPrincipal, @RequestActor() actor: Actor) {
    return this.clients.rotateCredential(id, clientId, principal, actor);
  }

  @Post('consumers/:id/credentials/:clientId/revoke')
  @HttpCode(204)
  @Admin('dgo-admin', 'consumer')
  revokeCredential(@Param('id') id: string, @Param('clientId') clientId: string, @Body() body: ReasonDto, @Principal() principal: AdminPrincipal, @RequestActor() actor: Actor) {
    return this.clients.revokeCredential(id, clientId, body.reason, principal, actor);
  }
}
