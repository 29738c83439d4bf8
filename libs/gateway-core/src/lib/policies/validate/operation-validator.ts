import type { IncomingHttpHeaders } from 'node:http';

import type { ProblemItem } from '@lgsp/contracts';
import { ErrorCode, LgspError } from '@lgsp/contracts';
import type { OpenApiOperation } from '@lgsp/openapi';
import { matchedPathParameters } from '@lgsp/openapi';
import type { ValidateFunction } from 'ajv';

import type { MediaTypeMatcher } from './media-type.util';
import { mediaEssence } from './media-type.util';
import type { ValueShape } from './parameter-values.util';
import { queryValues, valueOf } from './parameter-values.util';
import { addProblemItems, bodyLocation, parameterLocation } from './validation-problems.util';

export interface ParameterSpec {
  /** As the parameters object holds it: the declared name, lower-cased for headers. */
  readonly name: string;
  /** 'query.page', 'header.x-tenant'. */
  readonly location: string;
  readonly required: boolean;
  /** Query only: an empty value ('?page=') is accepted without judging it by the schema. */
  readonly allowEmptyValue: boolean;
  readonly shape: ValueShape;
}

/** One accepted media range of the request body. */
export interface MediaEntry {
  /** A JSON media type: the body must parse as JSON and, when a schema is given, match it. */
  readonly json: boolean;
  readonly validate?: ValidateFunction;
}

export interface BodySpec {
  readonly required: boolean;
  /** Undefined when the description lists no media type: any is accepted, none is checked. */
  readonly media: MediaTypeMatcher<MediaEntry> | undefined;
}

export interface OperationValidatorSpec {
  /** 'POST /persons'. */
  readonly key: string;
  readonly path: readonly ParameterSpec[];
  readonly query: readonly ParameterSpec[];
  readonly header: readonly ParameterSpec[];
  /** Judges { path, query, header } once the values are read; undefined when nothing is declared. */
  readonly parameters?: ValidateFunction;
  /** Undefined: the operation takes no request body. */
  readonly body?: BodySpec;
  /** The accepted media types, as the 415 names them. */
  readonly accepted: readonly string[];
}

/** What the request carries, as the data plane received it. */
export interface RequestParts {
  readonly operation: OpenApiOperation;
  /** The resource path the operation was matched on, raw. */
  readonly resourcePath: string;
  /** The query string with its '?', or ''. */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw bytes, forwarded unchanged whatever happens here; undefined when there is none. */
  readonly body: Buffer | undefined;
}

// Body text is decoded strictly: bytes that are not UTF-8 are not JSON (RFC 8259 §8.1). A BOM is dropped.
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** RFC 9110 §8.3: a body without a Content-Type may be taken as application/octet-stream. */
const OCTET_STREAM = 'application/octet-stream';

// Null-prototype holders: a parameter named __proto__ is a value like any other.
type Values = Record<string, unknown>;

/**
 * Checks one request against its operation: the parameters (path, query, headers) read and coerced
 * as OpenAPI's default styles write them, then judged by one compiled schema; the body's media type
 * against the accepted ones; a JSON body parsed from a copy of the bytes and judged by its schema.
 * Everything was compiled when the routing table was built: a request reads values and runs
 * compiled code. The request itself is never touched: the provider receives the bytes the
 * consumer sent.
 */
export class OperationValidator {
  private readonly detail: string;
  private readonly noBody: LgspError;
  private readonly unsupported: LgspError;
  private readonly queryNames: ReadonlySet<string>;

  constructor(private readonly spec: OperationValidatorSpec) {
    this.detail = `The request does not match ${spec.key} as the provider's OpenAPI document describes it`;
    this.noBody = new LgspError(ErrorCode.UnsupportedMediaType, `${spec.key} takes no request body`);
    this.unsupported = new LgspError(
      ErrorCode.UnsupportedMediaType,
      `${spec.key} accepts a request body of type ${spec.accepted.join(', ')} only`,
    );
    this.queryNames = new Set(spec.query.map((p) => p.name));
  }

  get key(): string {
    return this.spec.key;
  }

  validate(request: RequestParts, maxErrors: number): LgspError | undefined {
    const { spec } = this;
    const length = request.body === undefined ? 0 : request.body.length;
    let entry: MediaEntry | undefined;
    if (length > 0) {
      if (spec.body === undefined) return this.noBody;
      if (spec.body.media !== undefined) {
        const contentType = request.headers['content-type'];
        entry = spec.body.media.match(contentType === undefined ? OCTET_STREAM : mediaEssence(contentType));
        if (entry === undefined) return this.unsupported;
      }
    }
    let problems: ProblemItem[] | undefined;
    if (spec.parameters !== undefined) problems = this.checkParameters(request, maxErrors);
    if (length === 0) {
      if (spec.body?.required === true) (problems ??= []).push({ location: 'body', message: 'is required' });
    } else if (entry?.json === true) {
      problems = checkJsonBody(request.body as Buffer, entry, problems, maxErrors);
    }
    if (problems === undefined || problems.length === 0) return undefined;
    return new LgspError(ErrorCode.ValidationFailed, this.detail, problems.length > maxErrors ? problems.slice(0, maxErrors) : problems);
  }

  private checkParameters(request: RequestParts, maxErrors: number): ProblemItem[] | undefined {
    const { spec } = this;
    let problems: ProblemItem[] | undefined;
    const data: Record<string, Values> = {};
    if (spec.path.length > 0) {
      const values: Values = (data.path = Object.create(null) as Values);
      let matched: Record<string, string> | undefined;
      try {
        matched = matchedPathParameters(request.operation, request.resourcePath);
      } catch {
        // The matcher and the template disagree only for a request it did not route here.
        matched = undefined;
      }
      for (const parameter of spec.path) {
        const text = matched?.[parameter.name];
        if (text !== undefined) values[parameter.name] = valueOf([text], parameter.shape);
      }
    }
    if (spec.query.length > 0) {
      const values: Values = (data.query = Object.create(null) as Values);
      const found = request.query.length > 1 ? queryValues(request.query, this.queryNames) : undefined;
      for (const parameter of spec.query) {
        const texts = found?.get(parameter.name);
        if (texts === undefined) {
          if (parameter.required) (problems ??= []).push({ location: parameter.location, message: 'is required' });
        } else if (parameter.shape.kind === 'scalar' && texts.length > 1) {
          (problems ??= []).push({ location: parameter.location, message: 'must be sent once' });
        } else if (!(parameter.allowEmptyValue && texts.length === 1 && texts[0] === '')) {
          values[parameter.name] = valueOf(texts, parameter.shape);
        }
      }
    }
    if (spec.header.length > 0) {
      const values: Values = (data.header = Object.create(null) as Values);
      for (const parameter of spec.header) {
        const raw = request.headers[parameter.name];
        if (raw === undefined) {
          if (parameter.required) (problems ??= []).push({ location: parameter.location, message: 'is required' });
        } else {
          values[parameter.name] = valueOf([typeof raw === 'string' ? raw : raw.join(', ')], parameter.shape);
        }
      }
    }
    const validate = spec.parameters as ValidateFunction;
    if (!validate(data)) addProblemItems(validate.errors ?? [], parameterLocation, (problems ??= []), maxErrors);
    return problems;
  }
}

function checkJsonBody(body: Buffer, entry: MediaEntry, problems: ProblemItem[] | undefined, maxErrors: number): ProblemItem[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(body));
  } catch {
    // Never echo the body: the message names the failure, not the content.
    (problems ??= []).push({ location: 'body', message: 'is not valid JSON (UTF-8)' });
    return problems;
  }
  const validate = entry.validate;
  if (validate !== undefined && !validate(value)) addProblemItems(validate.errors ?? [], bodyLocation, (problems ??= []), maxErrors);
  return problems;
}
