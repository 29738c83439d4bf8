import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength } from 'class-validator';

import { PageQueryDto } from '../../common/dto/page-query.dto';
import { normaliseText } from '../../common/text.util';

export class ListOrganisationsQueryDto extends PageQueryDto {
  @ApiProperty({
    description: 'Text to find in the name or abbreviation; ignores case and Vietnamese diacritics.',
    required: false,
    maxLength: 200,
    example: 'ha noi',
  })
  @IsOptional()
  @Transform(({ value }) => normaliseText(value))
  @IsString()
  @MaxLength(200)
  q?: string;
}
