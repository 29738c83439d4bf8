import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

import { IsCalendarDate, IsNotBeforeDate } from '../../common/calendar-date.util';
import { PageQueryDto } from '../../common/dto/page-query.dto';
import { normaliseText } from '../../common/text.util';
import { ORGANISATION_ID_PATTERN } from '../../organisations/organisations.constant';
import type { DocumentType } from '../document.type';
import { DOCUMENT_TYPES } from '../documents.constant';

export class ListDocumentsQueryDto extends PageQueryDto {
  @ApiProperty({
    description: 'Only documents issued by this organisation.',
    required: false,
    pattern: ORGANISATION_ID_PATTERN.source,
    example: 'thanh-uy-ha-noi',
  })
  @IsOptional()
  @IsString()
  @Matches(ORGANISATION_ID_PATTERN, { message: '$property must be a lower-case slug such as thanh-uy-ha-noi' })
  organisationId?: string;

  @ApiProperty({ description: 'Only documents of this kind.', required: false, enum: DOCUMENT_TYPES })
  @IsOptional()
  @IsIn(DOCUMENT_TYPES, { message: `$property must be one of ${DOCUMENT_TYPES.join(', ')}` })
  type?: DocumentType;

  @ApiProperty({ description: 'Only documents issued on or after this date (YYYY-MM-DD).', required: false, format: 'date' })
  @IsOptional()
  @IsCalendarDate()
  issuedFrom?: string;

  @ApiProperty({ description: 'Only documents issued on or before this date (YYYY-MM-DD).', required: false, format: 'date' })
  @IsOptional()
  @IsCalendarDate()
  @IsNotBeforeDate('issuedFrom')
  issuedTo?: string;

  @ApiProperty({
    description: 'Text to find in the number, summary or signer; ignores case and Vietnamese diacritics.',
    required: false,
    maxLength: 200,
    example: 'chuyen doi so',
  })
  @IsOptional()
  @Transform(({ value }) => normaliseText(value))
  @IsString()
  @MaxLength(200)
  q?: string;
}
