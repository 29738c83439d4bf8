import type { ProblemItem } from '@lgsp/contracts';
import type { ErrorObject } from 'ajv';

const MAX_LISTED_VALUES = 10;

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** 'body' and the JSON pointer into the body: body, body/items/0/name. */
export function bodyLocation(instancePath: string): string {
  return `body${instancePath}`;
}

/**
 * A parameter's location from its place in the parameters object the schema checks
 * ('/query/page/0' → 'query.page/0', '/header/x-tenant' → 'header.x-tenant').
 */
export function parameterLocation(instancePath: string): string {
  const second = instancePath.indexOf('/', 1);
  if (second === -1) return instancePath.slice(1);
  const third = instancePath.indexOf('/', second + 1);
  const name = unescapeToken(third === -1 ? instancePath.slice(second + 1) : instancePath.slice(second + 1, third));
  return `${instancePath.slice(1, second)}.${name}${third === -1 ? '' : instancePath.slice(third)}`;
}

function messageOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not allowed';
    case 'enum': {
      const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
      const listed = allowed.slice(0, MAX_LISTED_VALUES).map((value) => JSON.stringify(value));
      return `must be one of ${listed.join(', ')}${allowed.length > MAX_LISTED_VALUES ? ', …' : ''}`;
    }
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}

function pathOf(error: ErrorObject): string {
  if (error.keyword === 'required') return `${error.instancePath}/${escapeToken(String((error.params as { missingProperty: string }).missingProperty))}`;
  if (error.keyword === 'additionalProperties') {
    return `${error.instancePath}/${escapeToken(String((error.params as { additionalProperty: string }).additionalProperty))}`;
  }
  return error.instancePath;
}

/**
 * Adds ajv's errors to `into` as located problem items, one per location and message, at most
 * `max` in all. The `if` that stands for OpenAPI's `nullable` on a type-less schema says nothing a
 * consumer can act on and is left out.
 */
export function addProblemItems(errors: readonly ErrorObject[], locate: (path: string) => string, into: ProblemItem[], max: number): void {
  for (const error of errors) {
    if (into.length >= max) return;
    if (error.keyword === 'if') continue;
    const location = locate(pathOf(error));
    const message = messageOf(error);
    if (!into.some((item) => item.location === location && item.message === message)) into.push({ location, message });
  }
}
