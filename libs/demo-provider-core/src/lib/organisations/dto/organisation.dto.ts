import { ApiProperty } from '@nestjs/swagger';

import type { Organisation, OrganisationLevel } from '../organisation.type';
import { ORGANISATION_ID_PATTERN, ORGANISATION_LEVELS } from '../organisations.constant';

export class OrganisationDto implements Organisation {
  @ApiProperty({
    description: 'Stable identifier of the organisation (a slug).',
    example: 'thanh-uy-ha-noi',
    pattern: ORGANISATION_ID_PATTERN.source,
  })
  id!: string;

  @ApiProperty({ description: 'Full name (tên tổ chức).', example: 'Thành ủy Hà Nội' })
  name!: string;

  @ApiProperty({ description: 'Abbreviation used after the slash of its document numbers (chữ viết tắt).', example: 'TU' })
  abbreviation!: string;

  @ApiProperty({ description: 'Level: central (trung-uong) or provincial (tinh).', enum: ORGANISATION_LEVELS, example: 'tinh' })
  level!: OrganisationLevel;

  @ApiProperty({ description: 'Postal address (địa chỉ).', example: 'Số 10 phố Lê Lai, phường Hoàn Kiếm, Hà Nội' })
  address!: string;
}
