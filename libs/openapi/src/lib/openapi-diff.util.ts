import { childOf, isJsonObject } from './json-value.util';
import type { JsonObject } from './json-value.util';
import type { Located } from './local-ref.util';
import { childLocated, followRefs } from './local-ref.util';
import type { BreakingChange, BreakingChangeRule, OpenApiDocument } from './openapi.type';
import type { OperationEntry } from './operation-entry.util';
import { operationEntriesOf } from './operation-entry.util';

type Direction = 'input' | 'output';

const JSON_MEDIA_TYPE = 'application/json';
const SUCCESS_STATUS = /^2(?:[0-9]{2}|XX)$/;
const TEMPLATE_PARAMETER = /\{[^{}]+\}/g;
const ARRAY_ITEMS = '[]';

/**
 * What a new version of a provider's document would break for consumers written against the
 * previous one, so that the registry can refuse it as an in-place update and ask for a new API
 * version instead. Conservative by design: only changes that certainly break a client are
 * reported; a renamed path parameter ('{id}' → '{personId}') is the same operation. Neither input
 * is modified: internal $refs are followed on the fly, and a recursive schema is compared once per
 * pair of definitions.
 */
export function diffOpenApi(previous: OpenApiDocument, next: OpenApiDocument): BreakingChange[] {
  return new OpenApiDiff(previous, next).run();
}

interface SchemaProperties {
  readonly properties: Map<string, Located>;
  readonly required: Set<string>;
}

class OpenApiDiff {
  private readonly changes: BreakingChange[] = [];

  constructor(
    private readonly previous: OpenApiDocument,
    private readonly next: OpenApiDocument,
  ) {}

  run(): BreakingChange[] {
    const nextOperations = new Map<string, OperationEntry>();
    for (const entry of operationEntriesOf(this.next)) {
      const key = operationKey(entry);
      if (!nextOperations.has(key)) nextOperations.set(key, entry);
    }
    for (const before of operationEntriesOf(this.previous)) {
      const after = nextOperations.get(operationKey(before));
      if (after === undefined) {
        this.report('operation-removed', before.operation.pointer, `${before.method} ${before.path}: the operation was removed`);
      } else {
        const label = `${after.method} ${after.path}`;
        this.compareParameters(label, before, after);
        this.compareRequestBodies(label, before, after);
        this.compareResponses(label, before, after);
      }
    }
    return this.changes;
  }

  private compareParameters(label: string, before: OperationEntry, after: OperationEntry): void {
    const previous = parametersOf(this.previous, before);
    for (const [key, parameter] of parametersOf(this.next, after)) {
      const value = parameter.value as JsonObject;
      const subject = `${String(value.in)} parameter '${String(value.name)}'`;
      const old = previous.get(key);
      if (old === undefined) {
        if (value.required === true) this.report('required-input-added', parameter.pointer, `${label}: required ${subject} was added`);
        continue;
      }
      if ((old.value as JsonObject).required !== true && value.required === true) {
        this.report('input-became-required', `${parameter.pointer}/required`, `${label}: ${subject} became required`);
      }
      const oldSchema = parameterSchemaOf(old);
      const newSchema = parameterSchemaOf(parameter);
      if (oldSchema && newSchema) this.compareSchemas('input', label, subject, oldSchema, newSchema);
    }
  }

  private compareRequestBodies(label: string, before: OperationEntry, after: OperationEntry): void {
    const old = followRefs(this.previous, childLocated(before.operation, 'requestBody'));
    const body = followRefs(this.next, childLocated(after.operation, 'requestBody'));
    if (body === undefined || !isJsonObject(body.value)) return;
    const hadBody = old !== undefined && isJsonObject(old.value);
    if (body.value.required === true) {
      if (!hadBody) this.report('required-input-added', body.pointer, `${label}: a required request body was added`);
      else if ((old.value as JsonObject).required !== true) {
        this.report('input-became-required', `${body.pointer}/required`, `${label}: the request body became required`);
      }
    }
    const oldSchema = hadBody ? jsonSchemaOf(old) : undefined;
    const newSchema = jsonSchemaOf(body);
    if (oldSchema && newSchema) this.compareSchemas('input', label, 'request body', oldSchema, newSchema);
  }

  private compareResponses(label: string, before: OperationEntry, after: OperationEntry): void {
    const oldResponses = childLocated(before.operation, 'responses');
    const newResponses = childLocated(after.operation, 'responses');
    if (!isJsonObject(oldResponses.value)) return;
    for (const status of Object.keys(oldResponses.value)) {
      if (!SUCCESS_STATUS.test(status)) continue;
      const old = followRefs(this.previous, childLocated(oldResponses, status));
      const response = followRefs(this.next, childLocated(newResponses, status));
      const oldSchema = old && jsonSchemaOf(old);
      const newSchema = response && jsonSchemaOf(response);
      if (oldSchema && newSchema) this.compareSchemas('output', label, `response ${status}`, oldSchema, newSchema);
    }
  }

  /** Walks both schemas side by side; `visited` holds the pairs of definitions already compared. */
  private compareSchemas(
    direction: Direction,
    label: string,
    subject: string,
    oldSchema: Located,
    newSchema: Located,
    path: readonly string[] = [],
    visited = new Map<object, Set<object>>(),
  ): void {
    const old = followRefs(this.previous, oldSchema);
    const schema = followRefs(this.next, newSchema);
    if (!old || !schema || !isJsonObject(old.value) || !isJsonObject(schema.value)) return;
    const seen = visited.get(old.value) ?? new Set<object>();
    if (seen.has(schema.value)) return;
    visited.set(old.value, seen.add(schema.value));

    const where = path.length === 0 ? subject : `${subject} property '${propertyPath(path)}'`;
    if (this.typeChanged(label, where, old.value, schema.value, schema.pointer)) return;
    if (direction === 'input') this.compareEnums(label, where, old.value, schema.value, schema.pointer);

    const oldObject = propertiesOf(this.previous, old);
    const newObject = propertiesOf(this.next, schema);
    if (direction === 'input') {
      for (const name of newObject.required) {
        if (oldObject.required.has(name)) continue;
        const pointer = newObject.properties.get(name)?.pointer ?? `${schema.pointer}/required`;
        const property = `${subject} property '${propertyPath([...path, name])}'`;
        if (oldObject.properties.has(name)) this.report('input-became-required', pointer, `${label}: ${property} became required`);
        else this.report('required-input-added', pointer, `${label}: required ${property} was added`);
      }
    }
    for (const [name, oldProperty] of oldObject.properties) {
      const newProperty = newObject.properties.get(name);
      if (newProperty !== undefined) {
        this.compareSchemas(direction, label, subject, oldProperty, newProperty, [...path, name], visited);
      } else if (direction === 'output') {
        const property = propertyPath([...path, name]);
        this.report('response-field-removed', oldProperty.pointer, `${label}: ${subject} property '${property}' was removed`);
      }
    }
    const oldItems = childLocated(old, 'items');
    const newItems = childLocated(schema, 'items');
    if (oldItems.value !== undefined && newItems.value !== undefined) {
      this.compareSchemas(direction, label, subject, oldItems, newItems, [...path, ARRAY_ITEMS], visited);
    }
  }

  private typeChanged(label: string, where: string, old: JsonObject, schema: JsonObject, pointer: string): boolean {
    for (const keyword of ['type', 'format']) {
      const before = old[keyword];
      const after = schema[keyword];
      if (before !== undefined && after !== undefined && before !== after) {
        const message = `${label}: ${where} ${keyword} changed from ${JSON.stringify(before)} to ${JSON.stringify(after)}`;
        this.report('type-changed', `${pointer}/${keyword}`, message);
        return true;
      }
    }
    return false;
  }

  /** An input enum that lost values refuses requests that used to be valid; a new enum restricts them all. */
  private compareEnums(label: string, where: string, old: JsonObject, schema: JsonObject, schemaPointer: string): void {
    const after = schema.enum;
    if (!Array.isArray(after)) return;
    const pointer = `${schemaPointer}/enum`;
    if (!Array.isArray(old.enum)) {
      this.report('enum-narrowed', pointer, `${label}: ${where} is now restricted to ${after.map((v) => JSON.stringify(v)).join(', ')}`);
      return;
    }
    const kept = new Set(after.map((value) => JSON.stringify(value)));
    const lost = old.enum.map((value) => JSON.stringify(value)).filter((value) => !kept.has(value));
    if (lost.length > 0) this.report('enum-narrowed', pointer, `${label}: ${where} no longer accepts ${lost.join(', ')}`);
  }

  private report(rule: BreakingChangeRule, pointer: string, message: string): void {
    this.changes.push({ rule, pointer, message });
  }
}

/** Operations pair up by method and path shape: renaming a template parameter changes no URL. */
function operationKey(entry: OperationEntry): string {
  return `${entry.method} ${entry.path.replace(TEMPLATE_PARAMETER, '{}')}`;
}

/**
 * The parameters in effect for an operation (the operation's override the path item's), keyed by
 * location and name; path parameters by their position in the template, header names ignoring case.
 */
function parametersOf(document: OpenApiDocument, entry: OperationEntry): Map<string, Located> {
  const templateNames = (entry.path.match(TEMPLATE_PARAMETER) ?? []).map((name) => name.slice(1, -1));
  const parameters = new Map<string, Located>();
  for (const owner of [entry.pathItem, entry.operation]) {
    const list = childLocated(owner, 'parameters');
    if (!Array.isArray(list.value)) continue;
    list.value.forEach((_, index) => {
      const parameter = followRefs(document, childLocated(list, String(index)));
      if (parameter === undefined || !isJsonObject(parameter.value)) return;
      const { in: location, name } = parameter.value;
      if (typeof location !== 'string' || typeof name !== 'string') return;
      const position = templateNames.indexOf(name);
      const key =
        location === 'path' && position !== -1
          ? `path#${position}`
          : `${location}:${location === 'header' ? name.toLowerCase() : name}`;
      parameters.set(key, parameter);
    });
  }
  return parameters;
}

function parameterSchemaOf(parameter: Located): Located | undefined {
  const schema = childLocated(parameter, 'schema');
  if (schema.value !== undefined) return schema;
  const content = childLocated(parameter, 'content');
  const mediaType = isJsonObject(content.value) ? Object.keys(content.value)[0] : undefined;
  return mediaType === undefined ? undefined : childLocated(childLocated(content, mediaType), 'schema');
}

function jsonSchemaOf(owner: Located): Located | undefined {
  const schema = childLocated(childLocated(childLocated(owner, 'content'), JSON_MEDIA_TYPE), 'schema');
  return schema.value === undefined ? undefined : schema;
}

/** Properties and required names of an object schema, including those its `allOf` members bring. */
function propertiesOf(document: OpenApiDocument, schema: Located, seen = new Set<unknown>()): SchemaProperties {
  const result: SchemaProperties = { properties: new Map(), required: new Set() };
  if (seen.has(schema.value) || !isJsonObject(schema.value)) return result;
  seen.add(schema.value);
  const allOf = childLocated(schema, 'allOf');
  if (Array.isArray(allOf.value)) {
    allOf.value.forEach((_, index) => {
      const member = followRefs(document, childLocated(allOf, String(index)));
      if (member === undefined) return;
      const inherited = propertiesOf(document, member, seen);
      for (const [name, property] of inherited.properties) result.properties.set(name, property);
      for (const name of inherited.required) result.required.add(name);
    });
  }
  const properties = childLocated(schema, 'properties');
  if (isJsonObject(properties.value)) {
    for (const name of Object.keys(properties.value)) result.properties.set(name, childLocated(properties, name));
  }
  const required = childOf(schema.value, 'required');
  if (Array.isArray(required)) for (const name of required) if (typeof name === 'string') result.required.add(name);
  return result;
}

function propertyPath(path: readonly string[]): string {
  return path.reduce((text, token) => (token === ARRAY_ITEMS ? `${text}${ARRAY_ITEMS}` : text ? `${text}.${token}` : token), '');
}

