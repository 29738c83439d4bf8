import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { parse } from 'yaml';

import { ErrorCode } from '../src';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS build of an ESM-first package
const { validate } = require('@readme/openapi-parser') as { validate(doc: unknown): Promise<{ valid: boolean; errors?: unknown[] }> };

const OPENAPI_DIR = join(__dirname, '../../../openapi');

describe('openapi/', () => {
  it('holds only valid OpenAPI 3.0 documents (and the declarative JSON Schema)', async () => {
    const files = (await readdir(OPENAPI_DIR)).filter((f) => f.endsWith('.yaml'));
    expect(files).toEqual(expect.arrayContaining(['gateway.yaml', 'demo-provider.yaml']));
    for (const file of files) {
      const result = await validate(parse(await readFile(join(OPENAPI_DIR, file), 'utf8')));
      expect({ file, valid: result.valid, errors: result.errors }).toEqual({ file, valid: true, errors: undefined });
    }
  });

  it("lists exactly the contract's error codes in the gateway's Problem schema", async () => {
    const doc = parse(await readFile(join(OPENAPI_DIR, 'gateway.yaml'), 'utf8'));
    expect([...doc.components.schemas.Problem.properties.code.enum].sort()).toEqual(Object.values(ErrorCode).sort());
  });
});
