import { type Actor, Admin, type AdminPrincipal, Principal, RequestActor } from '@lgsp/admin-auth';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

import { ApisService } from './apis.service';
import { ApiPathParams, ApiVersionPathParams, LifecycleDto, RegisterApiVersionDto, UpdateOpenApiDto } from './dto/api-version.dto';

@ApiTags('apis')
@Controller('admin/v1/apis')
export class ApisController {
  constructor(@Inject(ApisService) private readonly apis: ApisService) {}

  @Get()
  @Admin()
  list(@Principal() principal: AdminPrincipal) {
    return this.apis.list(principal);
  }

  @Post(':domain/versions')
  @Admin('dgo-admin', 'provider')
  register(@Param() params: ApiPathParams, @Body() body: RegisterApiVersionDto, @Principal() principal: AdminPrincipal, @RequestActor() actor: Actor) {
    return this.apis.register(params.domain, body, principal, actor);
  }

  @Get(':domain/versions/:version')
  @Admin()
  get(@Param() params: ApiVersionPathParams, @Principal() principal: AdminPrincipal) {
    return this.apis.get(params.domain, params.version, principal);
  }

  @Put(':domain/versions/:version/openapi')
  @Admin('dgo-admin', 'provider')
  updateDocument(@Param() params: ApiVersionPathParams, @Body() body: UpdateOpenApiDto, @Principal() principal: AdminPrincipal, @RequestActor() actor: Actor) {
    return this.apis.updateDocument(params.domain, params.version, body.openapi, principal, actor);
  }

  @Post(':domain/versions/:version/lifecycle')
  @HttpCode(200)
  @Admin('dgo-admin', 'provider')
  transition(@Param() params: ApiVersionPathParams, @Body() body: LifecycleDto, @Principal() principal: AdminPrincipal, @RequestActor() actor: Actor) {
    return this.apis.transition(params.domain, params.version, body, principal, actor);
  }

  @Delete(':domain/versions/:version')
  @HttpCode(204)
  @Admin('dgo-admin', 'provider')
  removeDraft(@Param() params: ApiVersionPathParams, @Principal() principal: AdminPrincipal, @RequestActor() actor: Actor) {
    return this.apis.removeDraft(params.domain, params.version, principal, actor);
  }
}
