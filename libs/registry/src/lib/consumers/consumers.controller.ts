import { type Actor, Admin, type AdminPrincipal, Principal, RequestActor } from '@lgsp/admin-auth';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseIntPipe, Post, Put, Query, DefaultValuePipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

import { ConsumersService } from './consumers.service';
import { CertificateDto, RateLimitDto, ReasonDto, SubscriptionDto } from './dto/consumer.dto';

@ApiTags('consumers')
@Controller('admin/v1')
export class ConsumersController {
  constructor(@Inject(ConsumersService) private readonly consumers: ConsumersService) {}

  @Get('consumers')
  @Admin('dgo-admin', 'consumer')
  list(@Principal() principal: AdminPrincipal) {
    return this.consumers.list(principal);
  }

  @Get('consumers/:id')
  @Admin('dgo-admin', 'consumer')
  get(@Param('id') id: string, @Principal() principal: AdminPrincipal) {
    return this.consumers.get(id, principal);
  }

  @Post('consumers/:id/suspend')
  @HttpCode(200)
  @Admin('dgo-admin')
  suspend(@Param('id') id: string, @Body() body: ReasonDto, @RequestActor() actor: Actor) {
    return this.consumers.changeStatus(id, 'suspend', body.reason, actor);
  }

  @Post('consumers/:id/resume')
  @HttpCode(200)
  @Admin('dgo-admin')
  resume(@Param('id') id: string, @Body() body: ReasonDto, @RequestActor() actor: Actor) {
    return this.consumers.changeStatus(id, 'resume', body.reason, actor);
  }

  @Post('consumers/:id/terminate')
  @HttpCode(200)
  @Admin('dgo-admin')
  terminate(@Param('id') id: string, @Body() body: ReasonDto, @RequestActor() actor: Actor) {
    return this.consumers.changeStatus(id, 'terminate', body.reason, actor);
  }

  @Post('consumers/:id/subscriptions')
  @HttpCode(200)
  @Admin('dgo-admin')
  subscribe(@Param('id') id: string, @Body() body: SubscriptionDto, @RequestActor() actor: Actor) {
    return this.consumers.subscribe(id, body, actor);
  }

  @Post('consumers/:id/subscriptions/remove')
  @HttpCode(204)
  @Admin('dgo-admin')
  unsubscribe(@Param('id') id: string, @Body() body: SubscriptionDto, @RequestActor() actor: Actor) {
    return this.consumers.unsubscribe(id, body, actor);
  }

  @Put('consumers/:id/limits')
  @Admin('dgo-admin')
  setLimit(@Param('id') id: string, @Body() body: RateLimitDto, @RequestActor() actor: Actor) {
    return this.consumers.setLimit(id, body, actor);
  }

  @Post('consumers/:id/certificates')
  @Admin('dgo-admin', 'consumer')
  addCertificate(@Param('id') id: string, @Body() body: CertificateDto, @Principal() principal: AdminPrincipal, @RequestActor() actor: Actor) {
    return this.consumers.addCertificate(id, body, principal, actor);
  }

  @Delete('consumers/:id/certificates/:keyId')
  @HttpCode(204)
  @Admin('dgo-admin', 'consumer')
  revokeCertificate(@Param('id') id: string, @Param('keyId') keyId: string, @Body() body: ReasonDto, @Principal() principal: AdminPrincipal, @RequestActor() actor: Actor) {
    return this.consumers.revokeCertificate(id, keyId, principal, body.reason, actor);
  }

  @Get('certificates/expiring')
  @Admin('dgo-admin')
  expiring(@Query('days', new DefaultValuePipe(30), ParseIntPipe) days: number) {
    return this.consumers.expiringCertificates(days);
  }
}
