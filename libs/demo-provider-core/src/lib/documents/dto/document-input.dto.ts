import type { DocumentClassification, DocumentInput, DocumentType } from '../document.type';
import { DocumentField } from './document-field.util';

/** The body of POST /documents and PUT /documents/{documentId}. */
export class DocumentInputDto implements DocumentInput {
  @DocumentField('organisationId', 'input')
  organisationId!: string;

  @DocumentField('number', 'input')
  number!: string;

  @DocumentField('title', 'input')
  title!: string;

  @DocumentField('type', 'input')
  type!: DocumentType;

  @DocumentField('issuedAt', 'input')
  issuedAt!: string;

  @DocumentField('effectiveFrom', 'input')
  effectiveFrom?: string;

  @DocumentField('signer', 'input')
  signer!: string;

  @DocumentField('classification', 'input')
  classification!: DocumentClassification;

  @DocumentField('recipients', 'input')
  recipients?: string[];
}
