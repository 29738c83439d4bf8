import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { OAuthPath } from '@lgsp/contracts';
import { dereference, validate } from '@readme/openapi-parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { request } from 'undici';
import { parse } from 'yaml';

import type { RunningIam, TestDb } from '../../../test/iam-test.util';
import { FORM, SETUP_TIMEOUT_MS, basic, openTestDb, seedAdmin, startIam } from '../../../test/iam-test.util';
import { CLIENT_AUTH_METHODS } from './metadata.util';

const DOCUMENT = join(__dirname, '../../../../../openapi/iam.yaml');
const SECRET = 'openapi-secret-openapi-secret-openapi-sec';

type Schema = Record<string, unknown>;
interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
  components: { schemas: Record<string, Schema> };
}

/** openapi/iam.yaml: a valid OpenAPI 3.0 document, and what the server answers matches it. */
describe('openapi/iam.yaml', () => {
  let doc: Doc;
  let t: TestDb;
  let iam: RunningIam;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);

  beforeAll(async () => {
    const raw = parse(await readFile(DOCUMENT, 'utf8'));
    const result = await validate(structuredClone(raw));
    expect({ valid: result.valid, errors: result.valid ? undefined : result.errors }).toEqual({ valid: true, errors: undefined });
    doc = (await dereference(raw)) as unknown as Doc;
    t = await openTestDb('pglite');
    await seedAdmin(t.database, 'openapi-admin', SECRET, ['dgo-admin']);
    iam = await startIam({ database: t.database });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await iam?.close();
    await t?.close();
  });

  function check(schema: Schema, value: unknown): string[] {
    const validator = ajv.compile(schema);
    return validator(value) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  }

  it('describes exactly the contract’s OAuth paths', () => {
    expect(Object.keys(doc.paths).sort()).toEqual(Object.values(OAuthPath).sort());
  });

  it('matches what the server answers', async () => {
    const json = (schemaOf: string, method: string, status: string) => doc.paths[schemaOf][method].responses[status].content!['application/json'].schema;
    const metadata = await (await request(`${iam.base}${OAuthPath.metadata}`)).body.json();
    expect(check(json(OAuthPath.metadata, 'get', '200'), metadata)).toEqual([]);
    expect((metadata as { token_endpoint_auth_methods_supported: string[] }).token_endpoint_auth_methods_supported).toEqual(CLIENT_AUTH_METHODS);
    expect(check(json(OAuthPath.jwks, 'get', '200'), await (await request(`${iam.base}${OAuthPath.jwks}`)).body.json())).toEqual([]);

    const post = async (path: string, body: string, authorization?: string) =>
      (await request(`${iam.base}${path}`, { method: 'POST', headers: { 'content-type': FORM, ...(authorization ? { authorization } : {}) }, body })).body.json();
    const token = (await post(OAuthPath.token, 'grant_type=client_credentials', basic('openapi-admin', SECRET))) as { access_token: string };
    expect(check(json(OAuthPath.token, 'post', '200'), token)).toEqual([]);
    expect(check(json(OAuthPath.token, 'post', '200'), { ...token, token_type: 'mac' })).not.toEqual([]);
    expect(check(json(OAuthPath.token, 'post', '400'), await post(OAuthPath.token, 'grant_type=password', basic('openapi-admin', SECRET)))).toEqual([]);
    expect(check(json(OAuthPath.token, 'post', '401'), await post(OAuthPath.token, 'grant_type=client_credentials'))).toEqual([]);
    expect(check(json(OAuthPath.introspect, 'post', '200'), await post(OAuthPath.introspect, `token=${token.access_token}`, basic('openapi-admin', SECRET)))).toEqual([]);
    expect(check(json(OAuthPath.introspect, 'post', '200'), await post(OAuthPath.introspect, 'token=x', basic('openapi-admin', SECRET)))).toEqual([]);
  });
});
