import { ApiProperty } from '@nestjs/swagger';

import type { Page } from '../../common/page.type';
import { OrganisationDto } from './organisation.dto';

export class OrganisationPageDto implements Page<OrganisationDto> {
  @ApiProperty({ description: 'The organisations on this page.', type: [OrganisationDto] })
  data!: OrganisationDto[];

  @ApiProperty({ description: 'This page number, from 1.', type: 'integer', minimum: 1 })
  page!: number;

  @ApiProperty({ description: 'Items per page as requested.', type: 'integer', minimum: 1, maximum: 100 })
  pageSize!: number;

  @ApiProperty({ description: 'Number of organisations matching the query across all pages.', type: 'integer', minimum: 0 })
  total!: number;
}
