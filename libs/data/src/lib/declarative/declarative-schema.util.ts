import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

import type { DeclarativeConfigProblem } from './declarative-config.error';
import type { RawDeclarativeConfig } from './declarative-config.type';

/** The published JSON schema of the format, the one source of its rules. */
export const DECLARATIVE_CONFIG_SCHEMA_FILE = join(__dirname, '../../../../../openapi/declarative-config.schema.json');

let validator: ValidateFunction<RawDeclarativeConfig> | undefined;

/** Read and compiled on first use, once per process. */
function compiled(): ValidateFunction<RawDeclarativeConfig> {
  if (!validator) {
    const schema = JSON.parse(readFileSync(DECLARATIVE_CONFIG_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    // strictRequired would refuse the `oneOf: [{ required: [a] }, { required: [b] }]` exclusive pairs.
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false });
    addFormats(ajv, ['date', 'uri']);
    validator = ajv.compile<RawDeclarativeConfig>(schema);
  }
  return validator;
}

export type SchemaCheck =
  | { readonly valid: true; readonly value: RawDeclarativeConfig }
  | { readonly valid: false; readonly problems: DeclarativeConfigProblem[] };

/** Validates a parsed file against the JSON schema; every failure becomes one readable problem. */
export function checkAgainstSchema(document: unknown): SchemaCheck {
  const validate = compiled();
  if (validate(document)) return { valid: true, value: document };
  return { valid: false, problems: describeErrors(validate.errors ?? []) };
}

function describeErrors(errors: readonly ErrorObject[]): DeclarativeConfigProblem[] {
  // An exclusive pair (oneOf of `required`) is reported once, in its own words, not branch by branch.
  const pairs = errors.filter((error) => error.keyword === 'oneOf' && exclusiveNames(error));
  const problems: DeclarativeConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    if (pairs.some((pair) => error !== pair && error.schemaPath.startsWith(pair.schemaPath + '/'))) continue;
    const problem = describeError(error);
    const key = `${problem.path}\u0000${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

function describeError(error: ErrorObject): DeclarativeConfigProblem {
  const path = readablePath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: appendSegment(path, String(params['additionalProperty'])), message: 'is not a known property' };
    case 'required':
      return { path: appendSegment(path, String(params['missingProperty'])), message: 'is required' };
    case 'enum': {
      if (error.data === 'tuyet-mat' && path.endsWith('classification')) {
        return {
          path,
          message: 'tuyet-mat (Tuyệt mật) data may never cross the platform; use cong-khai, noi-bo, mat or toi-mat',
        };
      }
      return { path, message: `must be one of ${(params['allowedValues'] as unknown[]).join(', ')}` };
    }
    case 'const':
      return { path, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    case 'pattern':
      return { path, message: `must match ${String(params['pattern'])}` };
    case 'format':
      if (params['format'] === 'date') return { path, message: 'must be a date (YYYY-MM-DD)' };
      return { path, message: `must be a valid ${String(params['format'])}` };
    case 'not':
    case 'false schema':
      return {
        path,
        message: path.endsWith('sunset') ? 'is only allowed with status deprecated or retired' : 'is not allowed here',
      };
    case 'oneOf': {
      const names = exclusiveNames(error);
      if (names) return describePair(path, names, error.data);
      return { path, message: error.message ?? 'is invalid' };
    }
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

function describePair(path: string, names: readonly string[], data: unknown): DeclarativeConfigProblem {
  const given = names.filter((name) => data !== null && typeof data === 'object' && name in data);
  if (given.length === 0) {
    return { path: appendSegment(path, names[0]), message: `is required (or ${names.slice(1).join(' or ')})` };
  }
  return { path: appendSegment(path, given[1]), message: `cannot be given together with ${given[0]}` };
}

/** The property names of a oneOf whose branches are each `{ required: [name] }`; undefined otherwise. */
function exclusiveNames(error: ErrorObject): string[] | undefined {
  const branches = error.schema;
  if (!Array.isArray(branches)) return undefined;
  const names = branches.map((branch: { required?: unknown }) =>
    Array.isArray(branch.required) && branch.required.length === 1 && Object.keys(branch).length === 1
      ? String(branch.required[0])
      : undefined,
  );
  return names.every((name) => name !== undefined) ? (names as string[]) : undefined;
}

/** `/consumers/0/credentials/0/environment` → `consumers[0].credentials[0].environment`. */
export function readablePath(instancePath: string): string {
  if (!instancePath) return '';
  return instancePath
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, token) => (/^\d+$/.test(token) ? `${path}[${token}]` : appendSegment(path, token)), '');
}

function appendSegment(path: string, name: string): string {
  const segment = /^[A-Za-z_$][\w$-]*$/.test(name) ? name : `[${JSON.stringify(name)}]`;
  if (!path || segment.startsWith('[')) return path + segment;
  return `${path}.${segment}`;
}
