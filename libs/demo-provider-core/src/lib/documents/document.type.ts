import type { DOCUMENT_CLASSIFICATIONS, DOCUMENT_TYPES } from './documents.constant';

export type DocumentType = (typeof DOCUMENT_TYPES)[number];
export type DocumentClassification = (typeof DOCUMENT_CLASSIFICATIONS)[number];

/** What a client writes (POST, PUT; PATCH merges into it). */
export interface DocumentInput {
  organisationId: string;
  number: string;
  title: string;
  type: DocumentType;
  issuedAt: string;
  effectiveFrom?: string;
  signer: string;
  classification: DocumentClassification;
  recipients?: string[];
}

/** A document (văn bản) as stored and served. */
export interface Document extends Readonly<DocumentInput> {
  readonly id: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The fields a client writes, in the order a document is served. */
export const DOCUMENT_INPUT_KEYS = [
  'organisationId',
  'number',
  'title',
  'type',
  'issuedAt',
  'effectiveFrom',
  'signer',
  'classification',
  'recipients',
] as const satisfies readonly (keyof DocumentInput)[];

/** Fields a merge patch may remove with null. */
export const OPTIONAL_DOCUMENT_KEYS = ['effectiveFrom', 'recipients'] as const satisfies readonly (keyof DocumentInput)[];
