import type { Classification } from '@lgsp/contracts';

import type { HTTP_METHODS } from './openapi.constant';

export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * A validated OpenAPI 3.0 document as plain JSON. Only what this library relies on is typed: the
 * rest stays `unknown` so that every valid document is assignable without a cast.
 */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string; readonly [key: string]: unknown };
  readonly paths: { readonly [path: string]: unknown };
  readonly components?: { readonly [kind: string]: unknown };
  readonly [key: string]: unknown;
}

/** One thing wrong with an uploaded document, located so that a provider can find it in their file. */
export interface OpenApiProblem {
  /** RFC 6901 JSON pointer into the uploaded document; '' for the document itself. */
  readonly pointer: string;
  readonly message: string;
}

export type OpenApiValidation =
  | { readonly valid: true; readonly document: OpenApiDocument }
  | { readonly valid: false; readonly problems: readonly OpenApiProblem[] };

/** An operation the gateway can route to and classify. */
export interface OpenApiOperation {
  readonly method: HttpMethod;
  /** The path template as written in the document, e.g. '/persons/{id}'. */
  readonly path: string;
  /** `${method} ${path}`: a stable name for logs, metrics and registry rows. */
  readonly key: string;
  readonly operationId?: string;
  readonly classification: Classification;
}

export interface OperationsResult {
  readonly operations: readonly OpenApiOperation[];
  readonly problems: readonly OpenApiProblem[];
}

export interface OperationMatcher {
  /**
   * The operation serving `method` on `path` (the resource path relative to the API root, raw and
   * without the query string), or undefined when the document describes none.
   */
  match(method: string, path: string): OpenApiOperation | undefined;
}

export type BreakingChangeRule =
  | 'operation-removed'
  | 'response-field-removed'
  | 'required-input-added'
  | 'type-changed'
  | 'enum-narrowed'
  | 'input-became-required';

export interface BreakingChange {
  readonly rule: BreakingChangeRule;
  /** Into the next document when the thing still exists there, else into the previous one. */
  readonly pointer: string;
  readonly message: string;
}
