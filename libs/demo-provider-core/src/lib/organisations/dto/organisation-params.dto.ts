import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

import { ORGANISATION_ID_PATTERN } from '../organisations.constant';

export class OrganisationParamsDto {
  @ApiProperty({ description: 'Identifier of the organisation.', example: 'thanh-uy-ha-noi', pattern: ORGANISATION_ID_PATTERN.source })
  @IsString()
  @Matches(ORGANISATION_ID_PATTERN, { message: '$property must be a lower-case slug such as thanh-uy-ha-noi' })
  organisationId!: string;
}
