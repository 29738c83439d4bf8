import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import type { Page } from '../common/page.type';
import { ListOrganisationsQueryDto } from './dto/list-organisations-query.dto';
import { OrganisationPageDto } from './dto/organisation-page.dto';
import { OrganisationParamsDto } from './dto/organisation-params.dto';
import { OrganisationDto } from './dto/organisation.dto';
import type { Organisation } from './organisation.type';
import { OrganisationsService } from './organisations.service';

@ApiTags('organisations')
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Get()
  @ApiOperation({ operationId: 'listOrganisations', summary: 'List organisations' })
  @ApiOkResponse({ type: OrganisationPageDto })
  list(@Query() query: ListOrganisationsQueryDto): Page<Organisation> {
    return this.organisations.list(query);
  }

  @Get(':organisationId')
  @ApiOperation({ operationId: 'getOrganisation', summary: 'Get one organisation' })
  @ApiOkResponse({ type: OrganisationDto })
  get(@Param() params: OrganisationParamsDto): Organisation {
    return this.organisations.get(params.organisationId);
  }
}
