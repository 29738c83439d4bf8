import { ApiProperty } from '@nestjs/swagger';

import type { Document, DocumentClassification, DocumentType } from '../document.type';
import { DocumentField } from './document-field.util';

/** A document (văn bản) as served. */
export class DocumentDto implements Document {
  @ApiProperty({ description: 'Identifier of the document (UUID v4).', format: 'uuid', example: '8ae592ae-2b55-4a79-9b9e-b475e5dda3ed' })
  id!: string;

  @DocumentField('organisationId', 'output')
  organisationId!: string;

  @DocumentField('number', 'output')
  number!: string;

  @DocumentField('title', 'output')
  title!: string;

  @DocumentField('type', 'output')
  type!: DocumentType;

  @DocumentField('issuedAt', 'output')
  issuedAt!: string;

  @DocumentField('effectiveFrom', 'output')
  effectiveFrom?: string;

  @DocumentField('signer', 'output')
  signer!: string;

  @DocumentField('classification', 'output')
  classification!: DocumentClassification;

  @DocumentField('recipients', 'output')
  recipients?: string[];

  @ApiProperty({
    description: 'Revision, from 1, incremented by every change; the ETag is this number quoted.',
    type: 'integer',
    minimum: 1,
    example: 1,
  })
  version!: number;

  @ApiProperty({ description: 'When the document was recorded (RFC 3339, UTC).', format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ description: 'When the document last changed (RFC 3339, UTC).', format: 'date-time' })
  updatedAt!: string;
}
