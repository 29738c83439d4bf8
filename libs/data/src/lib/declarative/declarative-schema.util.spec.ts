import { readFileSync } from 'node:fs';

import {
  ADMIN_ROLES,
  API_DOMAIN_PATTERN,
  API_STATUSES,
  API_VERSION_PATTERN,
  CONSUMER_STATUSES,
  ENVIRONMENTS,
  SERVABLE_CLASSIFICATIONS,
} from '@lgsp/contracts';

import { checkAgainstSchema, DECLARATIVE_CONFIG_SCHEMA_FILE, readablePath } from './declarative-schema.util';

type Schema = Record<string, unknown>;

const schema = JSON.parse(readFileSync(DECLARATIVE_CONFIG_SCHEMA_FILE, 'utf8')) as Schema;
const defs = schema['$defs'] as Record<string, Schema>;

/** Every schema object in the document with its JSON pointer. */
function walk(node: unknown, pointer = '#'): [string, Schema][] {
  if (node === null || typeof node !== 'object') return [];
  if (Array.isArray(node)) return node.flatMap((item, i) => walk(item, `${pointer}/${i}`));
  return [
    [pointer, node as Schema],
    ...Object.entries(node).flatMap(([key, value]) => walk(value, `${pointer}/${key}`)),
  ];
}

function property(def: string, name: string): Schema {
  return (defs[def]['properties'] as Record<string, Schema>)[name];
}

describe('openapi/declarative-config.schema.json', () => {
  it('is draft 2020-12, describes every property and allows no unknown one', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    const undescribed: string[] = [];
    const open: string[] = [];
    for (const [pointer, node] of walk(schema)) {
      if (node['properties']) {
        for (const [name, child] of Object.entries(node['properties'] as Record<string, Schema>)) {
          const target = child['$ref'] ? defs[String(child['$ref']).replace('#/$defs/', '')] : child;
          if (!child['description'] && !target['description']) undescribed.push(`${pointer}/properties/${name}`);
        }
      }
      const isObjectSchema = node['type'] === 'object' && pointer !== '#/$defs/api/properties/openapi';
      if (isObjectSchema && node['additionalProperties'] !== false) open.push(pointer);
    }
    expect(undescribed).toEqual([]);
    expect(open).toEqual([]);
  });

  it('spells the contract constants as @lgsp/contracts does', () => {
    expect(property('credential', 'environment')['enum']).toEqual([...ENVIRONMENTS]);
    expect((property('subscription', 'environments')['items'] as Schema)['enum']).toEqual([...ENVIRONMENTS]);
    expect(property('consumer', 'status')['enum']).toEqual([...CONSUMER_STATUSES]);
    expect((property('admin', 'roles')['items'] as Schema)['enum']).toEqual([...ADMIN_ROLES]);
    expect(property('api', 'classification')['enum']).toEqual([...SERVABLE_CLASSIFICATIONS]);
    expect(property('api', 'status')['enum']).toEqual([...API_STATUSES]);
    expect(property('api', 'version')['pattern']).toBe(API_VERSION_PATTERN.source);
    expect(property('subscription', 'version')['pattern']).toBe(API_VERSION_PATTERN.source);
    expect(property('api', 'domain')['pattern']).toBe(API_DOMAIN_PATTERN.source);
    expect(property('subscription', 'api')['pattern']).toBe(API_DOMAIN_PATTERN.source);
  });

  it('accepts the smallest file', () => {
    expect(checkAgainstSchema({ format_version: '1' })).toEqual({ valid: true, value: { format_version: '1' } });
  });
});

describe('readablePath', () => {
  it.each([
    ['', ''],
    ['/format_version', 'format_version'],
    ['/consumers/0/credentials/12/environment', 'consumers[0].credentials[12].environment'],
    ['/apis/1/openapi/paths/~1documents', 'apis[1].openapi.paths["/documents"]'],
  ])('%s → %s', (pointer, readable) => {
    expect(readablePath(pointer)).toBe(readable);
  });
});
