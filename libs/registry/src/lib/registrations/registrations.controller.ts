import { type Actor, Admin, AdminOrAnonymous, type AdminPrincipal, ClientIp, Principal, RequestActor } from '@lgsp/admin-auth';
import { REGISTRATION_STATUSES, type RegistrationStatus } from '@lgsp/data';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';

import { CreateRegistrationDto } from './dto/create-registration.dto';
import { ApproveRegistrationDto, ProductionRequestDto, RejectRegistrationDto } from './dto/registration-decision.dto';
import { RegistrationsService } from './registrations.service';

export const FOLLOW_UP_SECRET_HEADER = 'x-follow-up-secret';

export class ListRegistrationsQuery {
  @IsOptional()
  @IsIn(REGISTRATION_STATUSES)
  status?: RegistrationStatus;

  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  overdue?: boolean;
}

@ApiTags('registrations')
@Controller('admin/v1/registrations')
export class RegistrationsController {
  constructor(@Inject(RegistrationsService) private readonly registrations: RegistrationsService) {}

  @Post()
  @AdminOrAnonymous('consumer', 'dgo-admin')
  submit(@Body() form: CreateRegistrationDto, @Principal() principal: AdminPrincipal | undefined, @RequestActor() actor: Actor, @ClientIp() ip: string) {
    return this.registrations.submit(form, principal, actor, ip);
  }

  @Get()
  @Admin('dgo-admin', 'consumer')
  list(@Query() query: ListRegistrationsQuery, @Principal() principal: AdminPrincipal) {
    return this.registrations.list(principal, query);
  }

  @Get(':reference')
  @AdminOrAnonymous('dgo-admin', 'consumer')
  @ApiHeader({ name: FOLLOW_UP_SECRET_HEADER, required: false, description: 'The follow-up secret returned at submission, for callers without a token.' })
  get(@Param('reference') reference: string, @Principal() principal: AdminPrincipal | undefined, @Headers(FOLLOW_UP_SECRET_HEADER) secret: string | undefined) {
    return this.registrations.get(reference, principal, secret);
  }

  @Post(':reference/approve')
  @HttpCode(200)
  @Admin('dgo-admin')
  approve(@Param('reference') reference: string, @Body() decision: ApproveRegistrationDto, @RequestActor() actor: Actor) {
    return this.registrations.approve(reference, decision, actor);
  }

  @Post(':reference/reject')
  @HttpCode(200)
  @Admin('dgo-admin')
  reject(@Param('reference') reference: string, @Body() body: RejectRegistrationDto, @RequestActor() actor: Actor) {
    return this.registrations.reject(reference, body.reason, actor);
  }

  @Post(':reference/sandbox-credentials')
  @Admin('dgo-admin')
  issueSandbox(@Param('reference') reference: string, @RequestActor() actor: Actor) {
    return this.registrations.issueSandbox(reference, actor);
  }

  @Post(':reference/sandbox-tests-done')
  @HttpCode(200)
  @Admin('dgo-admin', 'consumer')
  sandboxTestsDone(@Param('reference') reference: string, @Principal() principal: AdminPrincipal, @RequestActor() actor: Actor) {
    return this.registrations.markSandboxTestsDone(reference, principal, actor);
  }

  @Post(':reference/production-request')
  @HttpCode(200)
  @Admin('dgo-admin', 'consumer')
  requestProduction(@Param('reference') reference: string, @Body() request: ProductionRequestDto, @Principal() principal: AdminPrincipal, @RequestActor() actor: Actor) {
    return this.registrations.requestProduction(reference, request, principal, actor);
  }

  @Post(':reference/production-credentials')
  @Admin('dgo-admin')
  approveProduction(@Param('reference') reference: string, @RequestActor() actor: Actor) {
    return this.registrations.approveProduction(reference, actor);
  }
}
