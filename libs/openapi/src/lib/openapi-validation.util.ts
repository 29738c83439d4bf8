import type { ParserOptions } from '@readme/openapi-parser';
import { dereference, validate } from '@readme/openapi-parser';

import { childOf, hasOwn, isJsonObject } from './json-value.util';
import type { JsonObject } from './json-value.util';
import { toPointer } from './json-pointer.util';
import { resolveLocalRef } from './local-ref.util';
import type { OpenApiDocument, OpenApiProblem, OpenApiValidation } from './openapi.type';
import { problemsOfParserError } from './parser-error.util';

// An uploaded document must never make the platform fetch a URL or read a file (SSRF, local file
// disclosure): external references are refused before the parser runs, and the parser is told not
// to resolve them anyway. Circular internal references are legal (recursive schemas) and kept.
const PARSER_OPTIONS: ParserOptions = {
  resolve: { external: false, file: false },
  dereference: { circular: 'ignore' },
};

const OPENAPI_30 = /^3\.0\.\d+$/;
const ONLY_30 = 'Only OpenAPI 3.0 documents are accepted';

type ParserInput = Parameters<typeof validate>[0];

/**
 * Validates an uploaded OpenAPI document without fetching anything, and locates each problem with
 * a JSON pointer so that the registry can answer with every fix the provider has to make at once.
 * The document returned is a JSON copy: the caller's object is never modified.
 */
export async function validateOpenApiDocument(document: unknown): Promise<OpenApiValidation> {
  if (!isJsonObject(document)) return refused([{ pointer: '', message: 'An OpenAPI document must be a JSON object' }]);
  const copy = jsonCopyOf(document);
  if (typeof copy === 'string') return refused([{ pointer: '', message: copy }]);
  const versionProblem = versionProblemOf(copy);
  if (versionProblem) return refused([versionProblem]);

  const references = checkReferences(copy);
  const forParser = structuredClone(copy);
  for (const tokens of references.broken) replaceAt(forParser, tokens, {});
  const brokenPointers = references.broken.map(toPointer);
  const parserProblems = (await parserProblemsOf(copy, forParser)).filter(
    // A broken reference was replaced by {} for the parser; what it then says about that {} is noise.
    (problem) => !brokenPointers.some((p) => problem.pointer === p || problem.pointer.startsWith(`${p}/`)),
  );
  const problems = distinct([...references.problems, ...parserProblems]);
  return problems.length > 0 ? refused(problems) : { valid: true, document: copy as OpenApiDocument };
}

function refused(problems: OpenApiProblem[]): OpenApiValidation {
  return { valid: false, problems };
}

function jsonCopyOf(document: JsonObject): JsonObject | string {
  try {
    return JSON.parse(JSON.stringify(document)) as JsonObject;
  } catch (error) {
    return `The document is not JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function versionProblemOf(document: JsonObject): OpenApiProblem | undefined {
  if (hasOwn(document, 'swagger')) {
    return { pointer: '/swagger', message: `${ONLY_30}; this is a Swagger ${JSON.stringify(document.swagger)} document` };
  }
  if (!hasOwn(document, 'openapi')) return { pointer: '', message: `must have required property 'openapi' (${ONLY_30})` };
  if (typeof document.openapi !== 'string' || !OPENAPI_30.test(document.openapi)) {
    return { pointer: '/openapi', message: `${ONLY_30} (openapi: 3.0.x); found ${JSON.stringify(document.openapi)}` };
  }
  return undefined;
}

/** Every `$ref` that points outside the document or at nothing in it, and where the broken ones sit. */
function checkReferences(document: JsonObject): { problems: OpenApiProblem[]; broken: string[][] } {
  const problems: OpenApiProblem[] = [];
  const broken: string[][] = [];
  const stack: { value: unknown; tokens: string[] }[] = [{ value: document, tokens: [] }];
  while (stack.length > 0) {
    const { value, tokens } = stack.pop()!;
    if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, tokens: [...tokens, String(index)] }));
      continue;
    }
    if (!isJsonObject(value)) continue;
    const ref = value.$ref;
    if (typeof ref === 'string') {
      const pointer = toPointer([...tokens, '$ref']);
      if (!ref.startsWith('#')) {
        const message = `External reference '${ref}' is refused: the document must be self-contained ('#/...' references only)`;
        problems.push({ pointer, message });
      } else if (resolveLocalRef(document, ref) === undefined) {
        problems.push({ pointer, message: `Reference '${ref}' does not resolve within the document` });
        broken.push(tokens);
      }
    }
    for (const [key, child] of Object.entries(value)) stack.push({ value: child, tokens: [...tokens, key] });
  }
  problems.sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
  return { problems, broken };
}

function replaceAt(root: JsonObject, tokens: readonly string[], replacement: unknown): void {
  if (tokens.length === 0) return;
  const parent = tokens.slice(0, -1).reduce<unknown>((value, token) => childOf(value, token), root);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent[Number(last)] = replacement;
  else if (isJsonObject(parent)) parent[last] = replacement;
}

async function parserProblemsOf(source: JsonObject, forParser: JsonObject): Promise<OpenApiProblem[]> {
  let result: Awaited<ReturnType<typeof validate>>;
  try {
    // The parser dereferences in place: it gets its own copy, forParser stays pristine for below.
    result = await validate(structuredClone(forParser) as ParserInput, PARSER_OPTIONS);
  } catch (error) {
    return [{ pointer: '', message: `The document could not be validated: ${error instanceof Error ? error.message : String(error)}` }];
  }
  if (result.valid) return [];
  // Its messages locate errors in the dereferenced text; rebuild that document the same way to read them.
  const dereferenced = await dereference(forParser as ParserInput, PARSER_OPTIONS).catch(() => undefined);
  const problems = result.errors.flatMap((error) => problemsOfParserError(error.message, { source, dereferenced }));
  if (result.additionalErrors > 0) {
    problems.push({ pointer: '', message: `${result.additionalErrors} further problems were found and not listed` });
  }
  return problems;
}

function distinct(problems: OpenApiProblem[]): OpenApiProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.pointer}\n${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
