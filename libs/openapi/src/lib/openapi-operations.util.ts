import { CLASSIFICATIONS } from '@lgsp/contracts';
import type { Classification } from '@lgsp/contracts';

import { hasOwn } from './json-value.util';
import type { JsonObject } from './json-value.util';
import { CLASSIFICATION_EXTENSION } from './openapi.constant';
import type { OpenApiDocument, OpenApiOperation, OpenApiProblem, OperationsResult } from './openapi.type';
import { operationEntriesOf } from './operation-entry.util';

const FORBIDDEN: Classification = 'tuyet-mat';
const OPERATION = 'the operation';

interface Declared {
  /** Pointer of the extension, or undefined when the classification is the caller's default. */
  readonly pointer: string | undefined;
  readonly value: unknown;
  readonly source: string;
}

/**
 * The operations the gateway will route, each with the classification that governs it (the most
 * specific declaration wins: operation, path item, document, then the API's default). An operation
 * with an unusable classification is left out and reported, so that a bad upload can never be
 * served under a guessed classification.
 */
export function operationsOf(document: OpenApiDocument, defaultClassification: Classification): OperationsResult {
  const operations: OpenApiOperation[] = [];
  const problems: OpenApiProblem[] = [];
  const reported = new Set<string>();
  const root: Declared = { pointer: `/${CLASSIFICATION_EXTENSION}`, value: document[CLASSIFICATION_EXTENSION], source: 'the document' };
  const fallback: Declared = { pointer: undefined, value: defaultClassification, source: "the API's default" };

  for (const entry of operationEntriesOf(document)) {
    const declared =
      declaredIn(entry.operation.value, entry.operation.pointer, OPERATION) ??
      declaredIn(entry.pathItem.value, entry.pathItem.pointer, 'the path item') ??
      (hasOwn(document, CLASSIFICATION_EXTENSION) ? root : fallback);
    const key = `${entry.method} ${entry.path}`;
    if (!isClassification(declared.value)) {
      // Declared once on a path item or the root, it is one mistake: report it once.
      const pointer = declared.pointer ?? entry.operation.pointer;
      if (!reported.has(pointer)) {
        reported.add(pointer);
        problems.push({
          pointer,
          message: `${CLASSIFICATION_EXTENSION} must be one of ${CLASSIFICATIONS.join(', ')}; found ${JSON.stringify(declared.value)}`,
        });
      }
      continue;
    }
    if (declared.value === FORBIDDEN) {
      const pointer = declared.source === OPERATION && declared.pointer !== undefined ? declared.pointer : entry.operation.pointer;
      problems.push({
        pointer,
        message: `${key} is classified ${FORBIDDEN} (by ${declared.source}): Tuyệt mật data never crosses the platform`,
      });
      continue;
    }
    const operationId = entry.operation.value.operationId;
    operations.push({
      method: entry.method,
      path: entry.path,
      key,
      ...(typeof operationId === 'string' ? { operationId } : {}),
      classification: declared.value,
    });
  }
  return { operations, problems };
}

function declaredIn(owner: JsonObject, pointer: string, source: string): Declared | undefined {
  if (!hasOwn(owner, CLASSIFICATION_EXTENSION)) return undefined;
  return { pointer: `${pointer}/${CLASSIFICATION_EXTENSION}`, value: owner[CLASSIFICATION_EXTENSION], source };
}

function isClassification(value: unknown): value is Classification {
  return typeof value === 'string' && (CLASSIFICATIONS as readonly string[]).includes(value);
}

