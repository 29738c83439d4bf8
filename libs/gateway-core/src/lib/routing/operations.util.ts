import type { Classification } from '@lgsp/contracts';
import type { OpenApiDocument, OperationMatcher } from '@lgsp/openapi';
import { compileOperationMatcher, operationsOf } from '@lgsp/openapi';

const NO_OPERATIONS: OperationMatcher = compileOperationMatcher([]);

/**
 * A REST version's operations, compiled for matching. `operationsOf` leaves out an operation it
 * found a problem with (an unusable or Tuyệt mật classification): it answers 404 like any path the
 * document does not describe, and the problem goes into `problems` for the log — once per registry
 * snapshot, never per request. A document that cannot be read at all leaves the version with no
 * operations.
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
    // The registry stored it only once it validated as OpenAPI 3.0.
    described = operationsOf(document as OpenApiDocument, classification);
  } catch (error) {
    problems.push(`${label}: the OpenAPI document cannot be read (${(error as Error).message}); no operation is served`);
    return NO_OPERATIONS;
  }
  for (const problem of described.problems) problems.push(`${label}: ${problem.pointer || '/'}: ${problem.message}`);
  if (described.operations.length === 0) problems.push(`${label}: the OpenAPI document describes no operation the gateway can serve`);
  return compileOperationMatcher(described.operations);
}
