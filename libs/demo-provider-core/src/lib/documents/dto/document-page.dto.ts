import { ApiProperty } from '@nestjs/swagger';

import type { Page } from '../../common/page.type';
import { DocumentDto } from './document.dto';

export class DocumentPageDto implements Page<DocumentDto> {
  @ApiProperty({ description: 'The documents on this page, newest first.', type: [DocumentDto] })
  data!: DocumentDto[];

  @ApiProperty({ description: 'This page number, from 1.', type: 'integer', minimum: 1 })
  page!: number;

  @ApiProperty({ description: 'Items per page as requested.', type: 'integer', minimum: 1, maximum: 100 })
  pageSize!: number;

  @ApiProperty({ description: 'Number of documents matching the query across all pages.', type: 'integer', minimum: 0 })
  total!: number;
}
