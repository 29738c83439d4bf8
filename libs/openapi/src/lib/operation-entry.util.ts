import { isJsonObject } from './json-value.util';
import type { JsonObject } from './json-value.util';
import { toPointer } from './json-pointer.util';
import type { Located } from './local-ref.util';
import { childLocated, followRefs } from './local-ref.util';
import { HTTP_METHODS } from './openapi.constant';
import type { HttpMethod } from './openapi.type';

export interface OperationEntry {
  readonly method: HttpMethod;
  readonly path: string;
  /** The path item, after following a `$ref` if it is one. */
  readonly pathItem: Located & { readonly value: JsonObject };
  readonly operation: Located & { readonly value: JsonObject };
}

/** Every operation of a document, sorted by path then method (code-unit order, so locale-independent). */
export function operationEntriesOf(document: unknown): OperationEntry[] {
  const paths = isJsonObject(document) && isJsonObject(document.paths) ? document.paths : {};
  const entries: OperationEntry[] = [];
  for (const path of Object.keys(paths).sort(compareStrings)) {
    const pathItem = followRefs(document, { value: paths[path], pointer: toPointer(['paths', path]) });
    if (pathItem === undefined || !isJsonObject(pathItem.value)) continue;
    const item = { ...pathItem, value: pathItem.value };
    for (const method of [...HTTP_METHODS].sort(compareStrings)) {
      const operation = childLocated(item, method.toLowerCase());
      if (!isJsonObject(operation.value)) continue;
      entries.push({ method, path, pathItem: item, operation: { ...operation, value: operation.value } });
    }
  }
  return entries;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
