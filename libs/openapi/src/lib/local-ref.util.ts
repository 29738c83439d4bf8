import { childOf, hasOwn, isJsonObject } from './json-value.util';
import { escapePointerToken, parsePointer } from './json-pointer.util';

/** A value inside a document with the RFC 6901 pointer where it is written. */
export interface Located {
  readonly value: unknown;
  readonly pointer: string;
}

// A chain of references longer than this is a loop ($ref: A → B → A) or an attack, not a document.
const MAX_REF_HOPS = 64;

/** The `$ref` string of a Reference Object, or undefined for any other value. */
export function refOf(value: unknown): string | undefined {
  return isJsonObject(value) && typeof value.$ref === 'string' ? value.$ref : undefined;
}

/** The tokens of a same-document reference ('#/components/schemas/Person'), or undefined for any other. */
export function localRefTokens(ref: string): string[] | undefined {
  if (!ref.startsWith('#')) return undefined;
  let fragment: string;
  try {
    fragment = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  return parsePointer(fragment);
}

export function childLocated(located: Located, token: string): Located {
  return { value: childOf(located.value, token), pointer: `${located.pointer}/${escapePointerToken(token)}` };
}

/**
 * Resolves a same-document reference. Like json-schema-ref-parser, a reference met half-way along
 * the pointer is followed, so the answer is where the value is really written.
 */
export function resolveLocalRef(document: unknown, ref: string, hops = 0): Located | undefined {
  const tokens = localRefTokens(ref);
  if (tokens === undefined || hops > MAX_REF_HOPS) return undefined;
  let located: Located = { value: document, pointer: '' };
  for (const token of tokens) {
    const inner = refOf(located.value);
    if (inner !== undefined && !(isJsonObject(located.value) && hasOwn(located.value, token))) {
      const target = resolveLocalRef(document, inner, hops + 1);
      if (target === undefined) return undefined;
      located = target;
    }
    if (childOf(located.value, token) === undefined) return undefined;
    located = childLocated(located, token);
  }
  return located;
}

/** Follows `$ref` chains until a value that is not a reference; undefined if one is external, broken or loops. */
export function followRefs(document: unknown, located: Located): Located | undefined {
  let current = located;
  for (let hops = 0; hops <= MAX_REF_HOPS; hops++) {
    const ref = refOf(current.value);
    if (ref === undefined) return current;
    const target = resolveLocalRef(document, ref);
    if (target === undefined) return undefined;
    current = target;
  }
  return undefined;
}
