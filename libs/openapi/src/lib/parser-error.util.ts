import { childOf, hasOwn, isJsonObject } from './json-value.util';
import { toPointer } from './json-pointer.util';
import type { Located } from './local-ref.util';
import { childLocated, followRefs, refOf } from './local-ref.util';
import type { OpenApiProblem } from './openapi.type';

// @readme/openapi-parser v9 reports errors as text only. Its JSON Schema errors carry a code frame of
// JSON.stringify(dereferenced, null, 2), so the marked line number locates the value; its own checks
// name the place in backticks with unescaped path keys ('/paths/persons/{id}/get'). These helpers
// turn both back into pointers into the document as uploaded.

const FRAME_LINE = /^>\s*(\d+) \|/m;
const CARET_HINT = /^\s*\|\s*\^+ ?(.*)$/m;
const KEYWORD_PREFIX = /^(?:[A-Z]+ )+/;
const BACKTICKED_PATH = /`(\/[^`]*)`/;
const DUPLICATE_OPERATION_ID = /^The operationId `(.*)` is duplicated/;
const PATHS_WITHOUT_SLASH = /^Entries in the OpenAPI `paths` object must begin with a leading slash/;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
// Siblings json-schema-ref-parser keeps beside a $ref when it dereferences (the parser's `preservedProperties`).
const KEPT_BESIDE_REF = new Set(['$ref', 'description', 'summary']);

export interface ParserErrorContext {
  /** The document as uploaded (JSON copy). */
  readonly source: Record<string, unknown>;
  /** The same document dereferenced with the parser's own options, or undefined if that failed. */
  readonly dereferenced: unknown;
}

/** The problems one parser error stands for, each located in the uploaded document. */
export function problemsOfParserError(message: string, context: ParserErrorContext): OpenApiProblem[] {
  const frameLine = FRAME_LINE.exec(message);
  if (frameLine) return [schemaProblem(message, Number(frameLine[1]), context)];
  if (PATHS_WITHOUT_SLASH.test(message)) {
    const paths = isJsonObject(context.source.paths) ? Object.keys(context.source.paths) : [];
    return paths
      .filter((path) => !path.startsWith('/'))
      .map((path) => ({ pointer: toPointer(['paths', path]), message: 'Paths must begin with a leading slash' }));
  }
  const duplicate = DUPLICATE_OPERATION_ID.exec(message);
  if (duplicate) {
    return duplicateOperationIdPointers(context, duplicate[1]).map((pointer) => ({ pointer, message }));
  }
  const place = BACKTICKED_PATH.exec(message);
  const tokens = place && context.dereferenced !== undefined ? tokensOfLooseId(context.dereferenced, place[1]) : [];
  return [{ pointer: sourcePointerOf(context.source, tokens), message }];
}

function schemaProblem(message: string, line: number, context: ParserErrorContext): OpenApiProblem {
  const headline = message.split('\n\n', 1)[0].split('\n').join(' ').replace(KEYWORD_PREFIX, '');
  const hint = CARET_HINT.exec(message)?.[1] ?? '';
  const suggestion = /^Did you mean (.+) here\?$/.exec(hint);
  const unexpected = /^(.+) is not expected to be here!$/.exec(hint);
  const detail = suggestion ? `; did you mean '${suggestion[1]}'?` : unexpected ? ` ('${unexpected[1]}' is not expected here)` : '';
  const tokens = context.dereferenced === undefined ? [] : (tokensAtLine(context.dereferenced, line) ?? []);
  return { pointer: sourcePointerOf(context.source, tokens), message: `${headline}${detail}` };
}

/** The tokens of the value whose text starts on `line` (1-based) of JSON.stringify(root, null, 2). */
export function tokensAtLine(root: unknown, line: number): string[] | undefined {
  let current = 1;
  const visit = (value: unknown, tokens: string[]): string[] | undefined => {
    if (current === line) return tokens;
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((item, index) => [String(index), item])
      : isJsonObject(value)
        ? Object.entries(value)
        : [];
    if (entries.length === 0) return undefined;
    for (const [key, child] of entries) {
      current += 1;
      const found = visit(child, [...tokens, key]);
      if (found) return found;
    }
    current += 1;
    return current === line ? tokens : undefined;
  };
  return visit(root, []);
}

/**
 * Resolves a parser id such as '/paths/a/{id}/get/parameters/id' or
 * '/paths/a/get/responses/200/content/application/json/schema': keys may contain '/', so each step
 * takes the longest key that fits, and array items are found by index or by `name`.
 */
export function tokensOfLooseId(root: unknown, id: string): string[] {
  const tokens: string[] = [];
  let value = root;
  let rest = id;
  while (rest.length > 1) {
    const step = looseStep(value, rest);
    if (step === undefined) break;
    tokens.push(step.token);
    value = childOf(value, step.token);
    rest = rest.slice(step.consumed);
  }
  return tokens;
}

function looseStep(value: unknown, rest: string): { token: string; consumed: number } | undefined {
  if (Array.isArray(value)) {
    const segment = rest.slice(1).split('/', 1)[0];
    const index = value.findIndex((item, i) => String(i) === segment || (isJsonObject(item) && item.name === segment));
    return index === -1 ? undefined : { token: String(index), consumed: segment.length + 1 };
  }
  if (!isJsonObject(value)) return undefined;
  let best: { token: string; consumed: number } | undefined;
  for (const key of Object.keys(value)) {
    for (const written of key.startsWith('/') ? [`/${key}`, key] : [`/${key}`]) {
      const fits = rest === written || rest.startsWith(`${written}/`);
      if (fits && (best === undefined || written.length > best.consumed)) best = { token: key, consumed: written.length };
    }
  }
  return best;
}

/**
 * Maps tokens that walk the dereferenced document onto the uploaded one: where the upload has a
 * $ref, the pointer continues from the referenced definition, which is where the provider must fix it.
 */
export function sourcePointerOf(source: unknown, tokens: readonly string[]): string {
  let located: Located = { value: source, pointer: '' };
  for (const token of tokens) {
    const value = located.value;
    const staysOnRef = isJsonObject(value) && KEPT_BESIDE_REF.has(token) && hasOwn(value, token);
    if (refOf(value) !== undefined && !staysOnRef) located = followRefs(source, located) ?? located;
    located = childLocated(located, token);
  }
  return located.pointer;
}

/** Every occurrence after the first of `operationId`, in the order the parser checks operations. */
function duplicateOperationIdPointers(context: ParserErrorContext, operationId: string): string[] {
  const paths = isJsonObject(context.source.paths) ? context.source.paths : {};
  const pointers: string[] = [];
  for (const path of Object.keys(paths)) {
    const pathItem = followRefs(context.source, { value: paths[path], pointer: toPointer(['paths', path]) });
    for (const method of METHODS) {
      const operation = pathItem && childOf(pathItem.value, method);
      if (pathItem && isJsonObject(operation) && operation.operationId === operationId) {
        pointers.push(`${childLocated(pathItem, method).pointer}/operationId`);
      }
    }
  }
  return pointers.length > 1 ? pointers.slice(1) : [''];
}
