export type JsonObject = Record<string, unknown>;

/** The id under which a document's referenced schemas are added to its ajv instance. */
export const DEFINITIONS_ID = 'lgsp:openapi-definitions';

// Literal nesting deeper than this (references aside) is an attack, not a schema.
const MAX_DEPTH = 64;
const MAX_REF_HOPS = 64;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A schema (or parameter, request body…) that cannot be turned into a validator; its operation goes unvalidated. */
export class SchemaConversionError extends Error {
  override readonly name = 'SchemaConversionError';
}

/** The target of a same-document reference ('#/components/schemas/Person'), with its pointer; throws for any other. */
export function resolveLocalRef(document: unknown, ref: string): { readonly value: unknown; readonly pointer: string } {
  if (!ref.startsWith('#')) throw new SchemaConversionError(`$ref ${ref} is not a reference inside the document`);
  let pointer: string;
  try {
    pointer = decodeURIComponent(ref.slice(1));
  } catch {
    throw new SchemaConversionError(`$ref ${ref} is not a valid URI fragment`);
  }
  if (pointer !== '' && !pointer.startsWith('/')) throw new SchemaConversionError(`$ref ${ref} is not a JSON pointer`);
  let value: unknown = document;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const next = Array.isArray(value) ? value[Number(token)] : isJsonObject(value) && Object.hasOwn(value, token) ? value[token] : undefined;
    if (next === undefined) throw new SchemaConversionError(`$ref ${ref} does not resolve`);
    value = next;
  }
  return { value, pointer };
}

/** Follows a chain of `$ref`s (a parameter, a request body, a schema) to the object it names. */
export function dereference(document: unknown, value: unknown): unknown {
  let current = value;
  for (let hops = 0; isJsonObject(current) && typeof current.$ref === 'string'; hops++) {
    if (hops === MAX_REF_HOPS) throw new SchemaConversionError(`$ref ${current.$ref} loops`);
    current = resolveLocalRef(document, current.$ref).value;
  }
  return current;
}

/**
 * Turns the OpenAPI 3.0 Schema Objects of one document into JSON Schema that ajv compiles, as a
 * request validator must read them:
 * - `nullable: true` admits null (OpenAPI 3.0 has no 'null' type);
 * - boolean `exclusiveMinimum`/`exclusiveMaximum` (draft 4 style) become the numeric ones;
 * - a `readOnly` property is never required of a request (OpenAPI 3.0 §4.7.24.3 — it is the
 *   server's to fill);
 * - each same-document `$ref` points into one shared set of definitions, converted once, which is
 *   added to the document's ajv instance under DEFINITIONS_ID, so that a schema used by many
 *   operations is compiled once and recursive schemas work. A reference outside the document
 *   fails the conversion: nothing is ever fetched.
 * The document itself is never modified.
 */
export class RequestSchemaConverter {
  private readonly keys = new Map<string, string>();
  private readonly converted = new Map<string, unknown>();

  constructor(private readonly document: unknown) {}

  convert(schema: unknown): unknown {
    return this.convertAt(schema, 0);
  }

  /** Every definition the conversions so far refer to: its key under DEFINITIONS_ID, where it is written, the converted schema. */
  definitionList(): { readonly key: string; readonly pointer: string; readonly schema: unknown }[] {
    return [...this.keys].map(([pointer, key]) => ({ key, pointer, schema: this.converted.get(key) }));
  }

  private convertAt(schema: unknown, depth: number): unknown {
    if (!isJsonObject(schema)) return schema;
    if (depth > MAX_DEPTH) throw new SchemaConversionError(`schemas nest deeper than ${MAX_DEPTH} levels`);
    // OpenAPI 3.0: a Reference Object's siblings are ignored.
    if (typeof schema.$ref === 'string') return { $ref: this.definitionRef(schema.$ref) };
    const out: JsonObject = {};
    for (const key of Object.keys(schema)) {
      const value = schema[key];
      switch (key) {
        case 'properties':
          out.properties = isJsonObject(value) ? this.convertEach(value, depth) : value;
          break;
        case 'items':
        case 'additionalProperties':
        case 'not':
          out[key] = this.convertAt(value, depth + 1);
          break;
        case 'allOf':
        case 'anyOf':
        case 'oneOf':
          out[key] = Array.isArray(value) ? value.map((item) => this.convertAt(item, depth + 1)) : value;
          break;
        case 'nullable':
        case 'exclusiveMinimum':
        case 'exclusiveMaximum':
        case 'discriminator':
        case 'xml':
        case 'externalDocs':
        case 'example':
          break;
        default:
          out[key] = value;
      }
    }
    exclusiveBound(schema, out, 'minimum', 'exclusiveMinimum');
    exclusiveBound(schema, out, 'maximum', 'exclusiveMaximum');
    if (Array.isArray(out.required) && isJsonObject(schema.properties)) {
      const properties = schema.properties;
      out.required = out.required.filter((name) => !(typeof name === 'string' && this.isReadOnly(properties[name])));
    }
    return schema.nullable === true ? nullable(out) : out;
  }

  private convertEach(properties: JsonObject, depth: number): JsonObject {
    const out: JsonObject = {};
    for (const name of Object.keys(properties)) out[name] = this.convertAt(properties[name], depth + 1);
    return out;
  }

  private isReadOnly(property: unknown): boolean {
    const resolved = dereference(this.document, property);
    return isJsonObject(resolved) && resolved.readOnly === true;
  }

  private definitionRef(ref: string): string {
    const { value, pointer } = resolveLocalRef(this.document, ref);
    let key = this.keys.get(pointer);
    if (key === undefined) {
      key = `d${this.keys.size}`;
      // Registered before converting, so that a schema referring to itself finds its key.
      this.keys.set(pointer, key);
      this.converted.set(key, this.convertAt(value, 0));
    }
    return `${DEFINITIONS_ID}#/definitions/${key}`;
  }
}

function exclusiveBound(schema: JsonObject, out: JsonObject, bound: 'minimum' | 'maximum', exclusive: 'exclusiveMinimum' | 'exclusiveMaximum'): void {
  const flag = schema[exclusive];
  if (typeof flag === 'number') out[exclusive] = flag;
  else if (flag === true && typeof schema[bound] === 'number') {
    out[exclusive] = schema[bound];
    delete out[bound];
  }
}

function nullable(schema: JsonObject): JsonObject {
  if (typeof schema.type === 'string') {
    const out: JsonObject = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) out.enum = [...schema.enum, null];
    return out;
  }
  // No type to widen: null passes, anything else must match (if/else rather than anyOf, so that a
  // refusal lists the schema's own errors and not a "must be null" besides).
  return { if: { type: 'null' }, else: schema };
}
