import { createHash } from 'node:crypto';

import { HTTP_METHODS } from '@lgsp/openapi';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import type { MediaEntry, OperationValidatorSpec, ParameterSpec } from './operation-validator';
import { OperationValidator } from './operation-validator';
import type { MediaRange } from './media-type.util';
import { MediaTypeMatcher, isJsonMediaType, mediaRangeOf } from './media-type.util';
import type { JsonObject } from './openapi-schema.util';
import { DEFINITIONS_ID, RequestSchemaConverter, SchemaConversionError, dereference, isJsonObject } from './openapi-schema.util';
import type { PrimitiveType, ValueShape } from './parameter-values.util';

/** Each operation's request validator by operation key ('POST /persons'). */
export type RequestValidators = ReadonlyMap<string, OperationValidator>;

export interface CompiledRequestValidators {
  readonly validators: RequestValidators;
  /** What was left unvalidated and why, one line each (the caller adds which API it is). */
  readonly problems: readonly string[];
}

type Location = 'path' | 'query' | 'header';

// OpenAPI 3.0 §4.7.12.1: Accept, Content-Type and Authorization header parameters are ignored.
// The others are the gateway's to set or strip before the provider sees the request, so a
// provider describing them describes the gateway, not the consumer.
const IGNORED_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'content-type',
  'authorization',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'cookie',
  'traceparent',
  'tracestate',
  'x-lgsp-transaction-id',
  'x-lgsp-consumer',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'forwarded',
]);

const PRIMITIVES: ReadonlySet<string> = new Set(['integer', 'number', 'boolean', 'string']);
const INT32 = 2 ** 31;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * An ajv for OpenAPI 3.0 request schemas: every error listed, own properties only (a body's
 * `{}` has no 'constructor'), ajv-formats' formats and OpenAPI's own (int32, int64, float, double,
 * byte, binary, password); a format it does not know is ignored, never refused, and nothing is
 * logged per unknown keyword (strict: false). Referenced schemas are compiled once as functions of
 * their own rather than inlined into every operation that uses them (inlineRefs: false): a
 * document's build costs less and its generated code stays small.
 */
function openApiAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, ownProperties: true, inlineRefs: false, logger: false });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', BASE64);
  ajv.addFormat('binary', true);
  ajv.addFormat('password', true);
  return ajv;
}

interface PlannedOperation {
  readonly key: string;
  readonly parameters: { path: ParameterSpec[]; query: ParameterSpec[]; header: ParameterSpec[] };
  /** The JSON Schema of { path, query, header }, or undefined when no parameter is checked. */
  readonly parametersSchema: JsonObject | undefined;
  readonly body?: { readonly required: boolean; readonly media: { readonly range: MediaRange; readonly schema: unknown }[] };
}

/**
 * Compiles a request validator for every operation of a REST version's OpenAPI 3.0 document, once
 * per document (see requestValidatorsOf). An operation whose description cannot be compiled (an
 * external $ref, an invalid pattern…) gets no validator — it is served unvalidated, never answered
 * 500 — and the reason goes into `problems`. A referenced schema that is not valid JSON Schema is
 * skipped (accepts anything) and reported, so that one faulty component does not turn off the
 * checks of every operation that uses it.
 */
export function compileRequestValidators(document: unknown): CompiledRequestValidators {
  const problems: string[] = [];
  const converter = new RequestSchemaConverter(document);
  const planned: PlannedOperation[] = [];
  for (const { key, pathItem, operation } of operationsIn(document)) {
    try {
      planned.push(planOperation(document, converter, key, pathItem, operation));
    } catch (error) {
      problems.push(`${key}: served without request validation: ${(error as Error).message}`);
    }
  }
  const ajv = openApiAjv();
  const definitions: JsonObject = {};
  for (const { key, pointer, schema } of converter.definitionList()) {
    if (ajv.validateSchema(schema as JsonObject) === true) {
      definitions[key] = schema;
    } else {
      definitions[key] = {};
      problems.push(`${pointer || '/'}: not checked in requests: ${ajv.errorsText(ajv.errors, { dataVar: 'schema' })}`);
    }
  }
  ajv.addSchema({ $id: DEFINITIONS_ID, definitions }, undefined, undefined, false);
  const validators = new Map<string, OperationValidator>();
  for (const plan of planned) {
    try {
      validators.set(plan.key, compileOperation(ajv, plan));
    } catch (error) {
      problems.push(`${plan.key}: served without request validation: ${(error as Error).message}`);
    }
  }
  return { validators, problems };
}

function compileOperation(ajv: Ajv, plan: PlannedOperation): OperationValidator {
  let media: MediaTypeMatcher<MediaEntry> | undefined;
  const accepted: string[] = [];
  if (plan.body !== undefined && plan.body.media.length > 0) {
    const entries: [MediaRange, MediaEntry][] = [];
    for (const { range, schema } of plan.body.media) {
      accepted.push(range.essence);
      const json = isJsonMediaType(range.essence);
      const validate: ValidateFunction | undefined = json && schema !== undefined ? ajv.compile(rootOf(schema)) : undefined;
      entries.push([range, { json, validate }]);
    }
    media = new MediaTypeMatcher(entries);
  }
  const spec: OperationValidatorSpec = {
    key: plan.key,
    ...plan.parameters,
    parameters: plan.parametersSchema === undefined ? undefined : ajv.compile(plan.parametersSchema),
    body: plan.body === undefined ? undefined : { required: plan.body.required, media },
    accepted,
  };
  return new OperationValidator(spec);
}

/** ajv compiles a root schema that is an object; a bare `true` or a reference is wrapped. */
function rootOf(schema: unknown): JsonObject {
  return isJsonObject(schema) ? schema : { allOf: [schema] };
}

interface OperationIn {
  readonly key: string;
  readonly pathItem: JsonObject;
  readonly operation: JsonObject;
}

function operationsIn(document: unknown): OperationIn[] {
  const paths = isJsonObject(document) && isJsonObject(document.paths) ? document.paths : {};
  const found: OperationIn[] = [];
  for (const path of Object.keys(paths)) {
    let pathItem: unknown;
    try {
      pathItem = dereference(document, paths[path]);
    } catch {
      continue; // The route table leaves this path out too.
    }
    if (!isJsonObject(pathItem)) continue;
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method.toLowerCase()];
      if (isJsonObject(operation)) found.push({ key: `${method} ${path}`, pathItem, operation });
    }
  }
  return found;
}

function planOperation(document: unknown, converter: RequestSchemaConverter, key: string, pathItem: JsonObject, operation: JsonObject): PlannedOperation {
  const parameters: PlannedOperation['parameters'] = { path: [], query: [], header: [] };
  const schemas: Record<Location, JsonObject> = { path: {}, query: {}, header: {} };
  for (const parameter of declaredParameters(document, pathItem, operation)) {
    const planned = planParameter(document, parameter);
    if (planned === undefined) continue;
    parameters[planned.in].push(planned.spec);
    schemas[planned.in][planned.spec.name] = planned.schema === undefined ? {} : converter.convert(planned.schema);
  }
  let parametersSchema: JsonObject | undefined;
  const properties: JsonObject = {};
  for (const location of ['path', 'query', 'header'] as const) {
    if (parameters[location].length > 0) properties[location] = { type: 'object', properties: schemas[location] };
  }
  if (Object.keys(properties).length > 0) parametersSchema = { type: 'object', properties };
  return { key, parameters, parametersSchema, body: planBody(document, converter, operation.requestBody) };
}

/** The path item's parameters, overridden by the operation's own of the same name and location. */
function declaredParameters(document: unknown, pathItem: JsonObject, operation: JsonObject): JsonObject[] {
  const byKey = new Map<string, JsonObject>();
  for (const list of [pathItem.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const parameter = dereference(document, item);
      if (!isJsonObject(parameter) || typeof parameter.name !== 'string' || typeof parameter.in !== 'string') {
        throw new SchemaConversionError('a parameter has no name or location');
      }
      const name = parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name;
      byKey.set(`${parameter.in} ${name}`, parameter);
    }
  }
  return [...byKey.values()];
}

interface PlannedParameter {
  readonly in: Location;
  readonly spec: ParameterSpec;
  /** The OpenAPI schema; undefined for a parameter described by `content` (only its presence is checked). */
  readonly schema: unknown;
}

/**
 * How a parameter is read, or undefined when the gateway does not check it: cookies (never
 * forwarded), headers it manages, objects, and styles other than the defaults (path simple, query
 * form and the delimited arrays, header simple) — a description the gateway cannot read is left to
 * the provider rather than refused on a guess.
 */
function planParameter(document: unknown, parameter: JsonObject): PlannedParameter | undefined {
  const location = parameter.in;
  if (location !== 'path' && location !== 'query' && location !== 'header') return undefined;
  const name = location === 'header' ? (parameter.name as string).toLowerCase() : (parameter.name as string);
  if (location === 'header' && IGNORED_HEADERS.has(name)) return undefined;
  const style = typeof parameter.style === 'string' ? parameter.style : location === 'query' ? 'form' : 'simple';
  const explode = typeof parameter.explode === 'boolean' ? parameter.explode : style === 'form';
  const spec = (shape: ValueShape): ParameterSpec => ({
    name,
    location: `${location}.${name}`,
    required: location === 'path' || parameter.required === true,
    allowEmptyValue: location === 'query' && parameter.allowEmptyValue === true,
    shape,
  });
  if (parameter.schema === undefined) {
    // Described by `content` (a JSON value in a query, say): presence only.
    return isJsonObject(parameter.content) ? { in: location, spec: spec({ kind: 'scalar', type: undefined }), schema: undefined } : undefined;
  }
  const schema = dereference(document, parameter.schema);
  const type = isJsonObject(schema) && typeof schema.type === 'string' ? schema.type : undefined;
  if (type === 'object') return undefined;
  if (type !== 'array') {
    if (location === 'query' ? style !== 'form' : style !== 'simple') return undefined;
    return { in: location, spec: spec({ kind: 'scalar', type: primitive(type) }), schema: parameter.schema };
  }
  const items = isJsonObject(schema) ? dereference(document, schema.items) : undefined;
  const itemType = primitive(isJsonObject(items) ? items.type : undefined);
  let separator: string | undefined;
  if (location !== 'query') {
    if (style !== 'simple') return undefined;
    separator = ',';
  } else if (style === 'form') {
    separator = explode ? undefined : ',';
  } else if (style === 'spaceDelimited' || style === 'pipeDelimited') {
    separator = explode ? undefined : style === 'spaceDelimited' ? ' ' : '|';
  } else {
    return undefined;
  }
  return { in: location, spec: spec({ kind: 'array', itemType, separator, trim: location === 'header' }), schema: parameter.schema };
}

function primitive(type: unknown): PrimitiveType | undefined {
  return typeof type === 'string' && PRIMITIVES.has(type) ? (type as PrimitiveType) : undefined;
}

function planBody(document: unknown, converter: RequestSchemaConverter, requestBody: unknown): PlannedOperation['body'] {
  if (requestBody === undefined) return undefined;
  const body = dereference(document, requestBody);
  if (!isJsonObject(body)) throw new SchemaConversionError('requestBody is not an object');
  const media: { range: MediaRange; schema: unknown }[] = [];
  const content = isJsonObject(body.content) ? body.content : {};
  for (const type of Object.keys(content)) {
    const range = mediaRangeOf(type);
    if (range === undefined) throw new SchemaConversionError(`requestBody content ${JSON.stringify(type)} is not a media type`);
    const entry = content[type];
    const schema = isJsonObject(entry) && entry.schema !== undefined && isJsonMediaType(range.essence) ? converter.convert(entry.schema) : undefined;
    media.push({ range, schema });
  }
  return { required: body.required === true, media };
}

interface CachedValidators {
  readonly compiled: CompiledRequestValidators;
  generation: number;
}

/**
 * Validators compiled for the documents of the last two routing tables, by the document's
 * digest. The table is rebuilt whole on every registry change (a suspension, a new subscription);
 * compiling with ajv costs milliseconds per schema, so only a document not seen in the previous
 * two builds is compiled again.
 */
class RequestValidatorCache {
  private readonly entries = new Map<string, CachedValidators>();
  private generation = 0;

  get(document: Readonly<Record<string, unknown>>): CompiledRequestValidators {
    const digest = createHash('sha256').update(JSON.stringify(document)).digest('base64');
    let entry = this.entries.get(digest);
    if (entry === undefined) this.entries.set(digest, (entry = { compiled: compileRequestValidators(document), generation: this.generation }));
    entry.generation = this.generation;
    return entry.compiled;
  }

  /** Ends a build: forgets what neither this build nor the one before used. */
  sweep(): void {
    for (const [digest, entry] of this.entries) if (entry.generation < this.generation - 1) this.entries.delete(digest);
    this.generation++;
  }

  get size(): number {
    return this.entries.size;
  }
}

const cache = new RequestValidatorCache();

/**
 * The request validators of a REST version's document, for the routing table being built; what
 * goes unvalidated is added to `problems` under `label`, on every build that serves it.
 */
export function requestValidatorsOf(document: Readonly<Record<string, unknown>> | null, label: string, problems: string[]): RequestValidators | undefined {
  if (document === null) return undefined;
  const compiled = cache.get(document);
  for (const problem of compiled.problems) problems.push(`${label}: ${problem}`);
  return compiled.validators;
}

/** Called once a routing table is built. */
export function sweepRequestValidators(): void {
  cache.sweep();
}

/** Documents whose validators are kept (for tests). */
export function cachedRequestValidatorCount(): number {
  return cache.size;
}
