import type { Classification } from '@lgsp/contracts';
import type { OpenApiDocument, OpenApiOperation, OpenApiProblem, OperationMatcher } from '@lgsp/openapi';
import { compileOperationMatcher, operationsOf } from '@lgsp/openapi';

const NO_OPERATIONS: OperationMatcher = compileOperationMatcher([]);
/** The keys of an OpenAPI 3.0 path item that are operations. */
const METHOD_TOKENS: ReadonlySet<string> = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Whether a problem found in the document concerns the operation: it points into the operation
 * itself, or into its path item outside every other method (shared parameters, the path's
 * classification). Problems elsewhere (components, info) leave operations alone.
 */
export function problemConcerns(problem: OpenApiProblem, operation: OpenApiOperation): boolean {
  const pathItem = `/paths/${escapeToken(operation.path)}`;
  if (problem.pointer !== pathItem && !problem.pointer.startsWith(`${pathItem}/`)) return false;
  const rest = problem.pointer.slice(pathItem.length + 1);
  const token = rest.split('/', 1)[0];
  return !METHOD_TOKENS.has(token) || token === operation.method.toLowerCase();
}

/**
 * A REST version's operations, compiled for matching. An operation with a problem is left out (it
 * answers 404 like any path the document does not describe) and the problem reported in `problems`
 * for the log: once per registry snapshot, never per request. A document that cannot be read at
 * all leaves the version with no operations.
 */
export function compileOperations(
  document: Readonly<Record<string, unknown>> | null,
  classification: Classification,
  label: string,
  problems: string[],
): OperationMatcher {
  if (document === null) {
    problems.push(`${label}: a REST version without an OpenAPI document serves no operation`);
    return NO_OPERATIONS;
  }
  let described: ReturnType<typeof operationsOf>;
  try {
    // The registry stored it only after validating it as OpenAPI 3.0.
    described = operationsOf(document as OpenApiDocument, classification);
  } catch (error) {
    problems.push(`${label}: the OpenAPI document cannot be read (${(error as Error).message}); no operation is served`);
    return NO_OPERATIONS;
  }
  if (described.problems.length === 0) return compileOperationMatcher(described.operations);
  for (const problem of described.problems) problems.push(`${label}: ${problem.pointer || '/'}: ${problem.message}`);
  const servable = described.operations.filter((operation) => {
    const faulty = described.problems.some((problem) => problemConcerns(problem, operation));
    if (faulty) problems.push(`${label}: ${operation.key} is not served`);
    return !faulty;
  });
  return compileOperationMatcher(servable);
}
