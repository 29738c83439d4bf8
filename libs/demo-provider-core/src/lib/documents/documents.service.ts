import { Injectable } from '@nestjs/common';
import { v4 as uuidv4 } from 'uuid';

import { ifMatchAllows } from '../common/etag.util';
import type { Page, PageRequest } from '../common/page.type';
import { paginate } from '../common/pagination.util';
import { matchesQuery } from '../common/text.util';
import type { WriteContext } from '../common/write-context.util';
import { OrganisationsService } from '../organisations/organisations.service';
import { SEED_DOCUMENTS } from './document-seed.constant';
import type { Document, DocumentInput, DocumentType } from './document.type';
import { DOCUMENT_INPUT_KEYS, OPTIONAL_DOCUMENT_KEYS } from './document.type';
import { DocumentError } from './errors/document.error';

export interface DocumentQuery extends PageRequest {
  readonly organisationId?: string;
  readonly type?: DocumentType;
  /** Inclusive, YYYY-MM-DD. */
  readonly issuedFrom?: string;
  /** Inclusive, YYYY-MM-DD. */
  readonly issuedTo?: string;
  readonly q?: string;
}

/** A merge patch after validation: undefined keeps a field, null removes an optional one. */
export type DocumentPatch = { readonly [K in keyof DocumentInput]?: DocumentInput[K] | null };

type WriteAction = 'created' | 'replaced' | 'patched' | 'deleted';

/**
 * The documents of the directory, in memory and seeded at construction. Every change increments the
 * version (the ETag); writes that change nothing keep it. Writes honour If-Match only after the
 * document is found: an unknown id is a 404 whatever the preconditions (RFC 9110 §13.2.1).
 */
@Injectable()
export class DocumentsService {
  private readonly documents = new Map<string, Document>();
  /** Organisation and folded number → document id: the uniqueness rule without a scan. */
  private readonly numbers = new Map<string, string>();

  constructor(private readonly organisations: OrganisationsService) {
    for (const { id, ...input } of SEED_DOCUMENTS) {
      const recordedAt = `${input.issuedAt}T01:00:00.000Z`;
      this.store(assemble(id, this.checked(input), 1, recordedAt, recordedAt));
    }
  }

  list(query: DocumentQuery): Page<Document> {
    const matching = [...this.documents.values()].filter(
      (d) =>
        (query.organisationId === undefined || d.organisationId === query.organisationId) &&
        (query.type === undefined || d.type === query.type) &&
        (query.issuedFrom === undefined || d.issuedAt >= query.issuedFrom) &&
        (query.issuedTo === undefined || d.issuedAt <= query.issuedTo) &&
        matchesQuery(query.q, d.number, d.title, d.signer),
    );
    return paginate(matching.sort(newestFirst), query);
  }

  get(id: string): Document {
    const document = this.documents.get(id);
    if (document === undefined) throw DocumentError.notFound(id);
    return document;
  }

  create(input: DocumentInput, context: WriteContext): Document {
    const now = new Date().toISOString();
    const document = assemble(uuidv4(), this.checked(inputOf(input)), 1, now, now);
    this.store(document);
    return logged(context, 'created', document);
  }

  replace(id: string, input: DocumentInput, context: WriteContext): Document {
    const current = this.current(id, context);
    return logged(context, 'replaced', this.commit(current, inputOf(input)));
  }

  patch(id: string, patch: DocumentPatch, context: WriteContext): Document {
    const current = this.current(id, context);
    return logged(context, 'patched', this.commit(current, merge(inputOf(current), patch)));
  }

  remove(id: string, context: WriteContext): void {
    const current = this.current(id, context);
    this.unstore(current);
    logged(context, 'deleted', current);
  }

  /** The document a write targets: it must exist and satisfy If-Match. */
  private current(id: string, context: WriteContext): Document {
    const document = this.get(id);
    if (!ifMatchAllows(context.ifMatch, document.version)) throw DocumentError.stale(id, document.version);
    return document;
  }

  private commit(current: Document, next: DocumentInput): Document {
    if (sameInput(inputOf(current), next)) return current;
    const updated = assemble(current.id, this.checked(next, current.id), current.version + 1, current.createdAt, new Date().toISOString());
    this.unstore(current);
    this.store(updated);
    return updated;
  }

  /** The rules a well-formed document must satisfy (422 otherwise). */
  private checked(input: DocumentInput, selfId?: string): DocumentInput {
    if (!this.organisations.exists(input.organisationId)) throw DocumentError.organisationUnknown(input.organisationId);
    const holder = this.numbers.get(numberKey(input));
    if (holder !== undefined && holder !== selfId) throw DocumentError.numberTaken(input.organisationId, input.number);
    if (input.effectiveFrom !== undefined && input.effectiveFrom < input.issuedAt) throw DocumentError.effectiveBeforeIssue();
    return input;
  }

  private store(document: Document): void {
    this.documents.set(document.id, document);
    this.numbers.set(numberKey(document), document.id);
  }

  private unstore(document: Document): void {
    this.documents.delete(document.id);
    this.numbers.delete(numberKey(document));
  }
}

function numberKey(input: Pick<DocumentInput, 'organisationId' | 'number'>): string {
  return `${input.organisationId}\u0000${input.number.normalize('NFC').toUpperCase()}`;
}

/** Only the written fields, without undefined ones (a DTO instance may carry them as own properties). */
function inputOf(source: DocumentInput): DocumentInput {
  const input: Record<string, unknown> = {};
  for (const key of DOCUMENT_INPUT_KEYS) {
    const value = source[key];
    if (value !== undefined) input[key] = Array.isArray(value) ? [...value] : value;
  }
  return input as unknown as DocumentInput;
}

function merge(current: DocumentInput, patch: DocumentPatch): DocumentInput {
  const next: Record<string, unknown> = { ...current };
  for (const key of DOCUMENT_INPUT_KEYS) {
    const value = patch[key];
    if (value === undefined) continue;
    // Validation lets null through only for optional fields.
    if (value === null) {
      if ((OPTIONAL_DOCUMENT_KEYS as readonly string[]).includes(key)) delete next[key];
    } else next[key] = Array.isArray(value) ? [...value] : value;
  }
  return next as unknown as DocumentInput;
}

function sameInput(a: DocumentInput, b: DocumentInput): boolean {
  return JSON.stringify(DOCUMENT_INPUT_KEYS.map((k) => a[k] ?? null)) === JSON.stringify(DOCUMENT_INPUT_KEYS.map((k) => b[k] ?? null));
}

/** A frozen document with its fields in the order it is served. */
function assemble(id: string, input: DocumentInput, version: number, createdAt: string, updatedAt: string): Document {
  const { recipients, ...rest } = inputOf(input);
  return Object.freeze({
    id,
    ...rest,
    ...(recipients === undefined ? {} : { recipients: Object.freeze(recipients) as string[] }),
    version,
    createdAt,
    updatedAt,
  });
}

function newestFirst(a: Document, b: Document): number {
  return (
    b.issuedAt.localeCompare(a.issuedAt) ||
    a.organisationId.localeCompare(b.organisationId) ||
    a.number.localeCompare(b.number, 'vi', { numeric: true })
  );
}

/** One line per write, with the ids and the new version; never the body. */
function logged(context: WriteContext, action: WriteAction, document: Document): Document {
  context.log.info(
    { event: { action: `document-${action}`, outcome: 'success' }, lgsp: { document: { id: document.id, version: document.version } } },
    `document ${action}`,
  );
  return document;
}
