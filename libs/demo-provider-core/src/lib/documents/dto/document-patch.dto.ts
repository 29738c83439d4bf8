import type { DocumentClassification, DocumentInput, DocumentType } from '../document.type';
import { DocumentField } from './document-field.util';

/** A JSON merge patch (RFC 7396) of a document: absent keeps, null removes an optional field. */
export class DocumentPatchDto implements Partial<Record<keyof DocumentInput, unknown>> {
  @DocumentField('organisationId', 'patch')
  organisationId?: string;

  @DocumentField('number', 'patch')
  number?: string;

  @DocumentField('title', 'patch')
  title?: string;

  @DocumentField('type', 'patch')
  type?: DocumentType;

  @DocumentField('issuedAt', 'patch')
  issuedAt?: string;

  @DocumentField('effectiveFrom', 'patch')
  effectiveFrom?: string | null;

  @DocumentField('signer', 'patch')
  signer?: string;

  @DocumentField('classification', 'patch')
  classification?: DocumentClassification;

  @DocumentField('recipients', 'patch')
  recipients?: string[] | null;
}
