import type { IncomingHttpHeaders } from 'node:http';

import { apiVersion, callOf, openApiDocument, tableOf } from '../../../../test/registry-view.util';
import type { GatewayContext } from '../../chain/gateway-context.type';
import type { PolicyDependencies } from '../../chain/gateway-policy.type';
import { PolicyChain } from '../../chain/policy-chain';
import { routePolicy } from '../route.policy';
import { validatePolicy } from '../validate.policy';

const PERSONS = openApiDocument({
  '/persons': {
    get: { parameters: [{ name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } }] },
    post: {
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } } } },
      },
    },
  },
  '/persons/{id}': { get: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }] } },
  '/broken': { post: { requestBody: { content: { 'application/json': { schema: { $ref: 'other.yaml#/Person' } } } } } },
});

const VERSIONS = [
  apiVersion('persons', { openapi: PERSONS }),
  apiVersion('land', { kind: 'soap', openapi: null }),
  apiVersion('old', { openapi: PERSONS, status: 'retired' }),
];

describe('validate policy', () => {
  const table = tableOf({ apiVersions: VERSIONS });
  const routes = { table };
  const chain = PolicyChain.build([routePolicy, validatePolicy] as never[], { validate: { maxErrors: 2 } }, { routes, clock: Date.now } as unknown as PolicyDependencies);

  function call(method: string, url: string, headers: IncomingHttpHeaders = {}, body?: string): GatewayContext {
    const q = url.indexOf('?');
    const { context } = callOf(method, q === -1 ? url : url.slice(0, q));
    context.query = q === -1 ? '' : url.slice(q);
    Object.assign(context.request, { headers, body: body === undefined ? undefined : Buffer.from(body) });
    return context;
  }

  it('sits between throttle (50) and proxy (80), with a described, defaulted setting', () => {
    expect(validatePolicy.phase).toBe(70);
    expect(validatePolicy.configSchema.properties.maxErrors).toMatchObject({ default: 20, minimum: 1 });
  });

  it('compiles the validators with the table, one per operation, and reports what it cannot compile', () => {
    const route = table.lookup('v1', 'persons');
    expect([...(route?.requestValidators?.keys() ?? [])].sort()).toEqual(['GET /persons', 'GET /persons/{id}', 'POST /persons']);
    expect(table.problems).toContainEqual(expect.stringMatching(/^persons v1: POST \/broken: served without request validation: \$ref other\.yaml#\/Person/));
    expect(table.lookup('v1', 'land')?.requestValidators).toBeUndefined();
    expect(table.lookup('v1', 'old')?.requestValidators).toBeUndefined();
  });

  it('lets a valid request through and refuses an invalid one, listing at most maxErrors violations', async () => {
    expect(await chain.run(call('GET', '/v1/persons/persons?page=2'))).toBeUndefined();
    expect(await chain.run(call('POST', '/v1/persons/persons', { 'content-type': 'application/json' }, '{"name":"Lan","tags":["a"]}'))).toBeUndefined();
    const refusal = await chain.run(call('POST', '/v1/persons/persons', { 'content-type': 'application/json' }, '{"tags":[1,2,3]}'));
    expect(refusal).toMatchObject({ code: 'validation_failed', status: 400 });
    expect(refusal?.errors).toEqual([
      { location: 'body/name', message: 'is required' },
      { location: 'body/tags/0', message: 'must be string' },
    ]);
    expect((await chain.run(call('GET', '/v1/persons/persons/x')))?.errors).toEqual([{ location: 'path.id', message: 'must be integer' }]);
  });

  it('answers 415 for a media type the operation does not accept', async () => {
    expect(await chain.run(call('POST', '/v1/persons/persons', { 'content-type': 'text/csv' }, 'name\nLan'))).toMatchObject({ code: 'unsupported_media_type', status: 415 });
  });

  it('passes SOAP calls and operations it could not compile as they are', async () => {
    expect(await chain.run(call('POST', '/v1/land/service', { 'content-type': 'text/xml' }, '<not-checked'))).toBeUndefined();
    expect(await chain.run(call('POST', '/v1/persons/broken', { 'content-type': 'application/json' }, '{"any":"thing"}'))).toBeUndefined();
  });

  it('validates HEAD by the GET operation it is served as', async () => {
    expect((await chain.run(call('HEAD', '/v1/persons/persons?page=0')))?.errors).toEqual([{ location: 'query.page', message: 'must be >= 1' }]);
  });

  it('leaves the request body as it came', async () => {
    const context = call('POST', '/v1/persons/persons', { 'content-type': 'application/json' }, '{"name":"Lan"}');
    const body = context.request.body;
    await chain.run(context);
    expect(context.request.body).toBe(body);
    expect((body as Buffer).toString()).toBe('{"name":"Lan"}');
  });
});
