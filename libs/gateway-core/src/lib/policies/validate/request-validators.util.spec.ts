import type { IncomingHttpHeaders } from 'node:http';

import type { LgspError } from '@lgsp/contracts';
import { compileOperationMatcher, operationsOf } from '@lgsp/openapi';
import type { OpenApiDocument } from '@lgsp/openapi';

import { cachedRequestValidatorCount, compileRequestValidators, requestValidatorsOf, sweepRequestValidators } from './request-validators.util';

const ok = { responses: { '200': { description: 'ok' } } };
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });

/** A provider's document with one operation per feature under test. */
const DOCUMENT = {
  openapi: '3.0.3',
  info: { title: 'persons', version: '1.0.0' },
  paths: {
    '/persons': {
      get: {
        ...ok,
        parameters: [
          { $ref: '#/components/parameters/Page' },
          { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } } },
          { name: 'ids', in: 'query', explode: false, schema: { type: 'array', items: { type: 'integer' }, maxItems: 3 } },
          { name: 'exact', in: 'query', schema: { type: 'boolean' } },
          { name: 'ratio', in: 'query', schema: { type: 'number', minimum: 0, exclusiveMinimum: true } },
          { name: 'q', in: 'query', required: true, allowEmptyValue: true, schema: { type: 'string', minLength: 2 } },
          { name: 'filter', in: 'query', style: 'deepObject', schema: { type: 'object' } },
          { name: 'X-Tenant', in: 'header', required: true, schema: { type: 'string', pattern: '^[a-z]+$' } },
          { name: 'X-Limits', in: 'header', schema: { type: 'array', items: { type: 'integer' } } },
          { name: 'Authorization', in: 'header', required: true, schema: { type: 'string', enum: ['never'] } },
          { name: 'X-LGSP-Transaction-ID', in: 'header', required: true, schema: { type: 'string' } },
          { name: 'session', in: 'cookie', required: true, schema: { type: 'string' } },
        ],
      },
      post: { ...ok, requestBody: { $ref: '#/components/requestBodies/Person' } },
    },
    '/persons/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
      get: ok,
      put: { ...ok, requestBody: { required: true, ...json({ $ref: '#/components/schemas/Person' }) } },
      patch: {
        ...ok,
        requestBody: {
          required: true,
          content: { 'application/merge-patch+json': { schema: { $ref: '#/components/schemas/PersonPatch' } }, 'application/json; charset=utf-8': { schema: { $ref: '#/components/schemas/PersonPatch' } } },
        },
      },
      delete: ok,
    },
    '/persons/{id}/photo': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      put: { ...ok, requestBody: { content: { 'image/*': { schema: { type: 'string', format: 'binary' } }, 'application/pdf': {} } } },
    },
    '/files/{name}.{ext}': {
      put: {
        ...ok,
        parameters: [
          { name: 'name', in: 'path', required: true, schema: { type: 'string', maxLength: 5 } },
          { name: 'ext', in: 'path', required: true, schema: { type: 'string', enum: ['pdf', 'txt'] } },
        ],
        requestBody: { content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
      },
    },
    '/notes': { post: { ...ok, requestBody: json({ type: 'object', required: ['text'], properties: { text: { type: 'string' }, sum: { type: 'integer', format: 'int32' }, code: { type: 'string', format: 'org-code' } } }) } },
    '/broken-ref': { post: { ...ok, requestBody: json({ $ref: 'https://schemas.example/person.json' }) } },
    '/broken-pattern': { get: { ...ok, parameters: [{ name: 'q', in: 'query', schema: { type: 'string', pattern: '([a-z]' } }] } },
    '/faulty-component': { post: { ...ok, requestBody: json({ type: 'object', properties: { odd: { $ref: '#/components/schemas/Faulty' }, n: { type: 'integer' } } }) } },
  },
  components: {
    parameters: { Page: { name: 'page', in: 'query', schema: { $ref: '#/components/schemas/PageNumber' } } },
    requestBodies: { Person: { required: true, ...json({ $ref: '#/components/schemas/Person' }) } },
    schemas: {
      PageNumber: { type: 'integer', minimum: 1 },
      Person: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'birthDate'],
        properties: {
          id: { type: 'integer', readOnly: true },
          name: { type: 'string', minLength: 1 },
          nickname: { type: 'string', nullable: true },
          birthDate: { type: 'string', format: 'date' },
          items: { type: 'array', items: { $ref: '#/components/schemas/Item' } },
          parent: { $ref: '#/components/schemas/Person' },
        },
      },
      Item: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, size: { allOf: [{ type: 'integer' }], nullable: true } } },
      PersonPatch: { type: 'object', additionalProperties: false, properties: { nickname: { type: 'string', nullable: true }, name: { type: 'string', minLength: 1 } } },
      Faulty: { type: 'string', minLength: 'two' },
    },
  },
};

const compiled = compileRequestValidators(DOCUMENT);
const matcher = compileOperationMatcher(operationsOf(DOCUMENT as OpenApiDocument, 'noi-bo').operations);
const VALID_PERSON = { name: 'Trần Minh Đức', birthDate: '1970-01-02' };

interface Call {
  readonly query?: string;
  readonly headers?: IncomingHttpHeaders;
  readonly body?: string | Buffer;
}

function check(method: string, path: string, call: Call = {}, maxErrors = 50): LgspError | undefined {
  const operation = matcher.match(method, path);
  if (operation === undefined) throw new Error(`${method} ${path} matches no operation`);
  const validator = compiled.validators.get(operation.key);
  if (validator === undefined) throw new Error(`${operation.key} has no validator`);
  const body = call.body === undefined ? undefined : Buffer.isBuffer(call.body) ? call.body : Buffer.from(call.body);
  return validator.validate({ operation, resourcePath: path, query: call.query ?? '', headers: call.headers ?? {}, body }, maxErrors);
}

const jsonBody = (value: unknown, contentType = 'application/json'): Call => ({ headers: { 'content-type': contentType }, body: JSON.stringify(value) });
const errorsOf = (refusal: LgspError | undefined) => refusal?.errors ?? [];
const PERSONS_HEADERS = { 'x-tenant': 'hanoi' };

describe('compileRequestValidators', () => {
  it('compiles a validator for every operation it can, and says why the others are served unvalidated', () => {
    expect([...compiled.validators.keys()]).not.toContain('POST /broken-ref');
    expect([...compiled.validators.keys()]).not.toContain('GET /broken-pattern');
    expect(compiled.validators.has('GET /persons')).toBe(true);
    expect(compiled.problems).toEqual([
      expect.stringMatching(/^POST \/broken-ref: served without request validation: \$ref https:\/\/schemas\.example\/person\.json is not a reference inside the document$/),
      expect.stringMatching(/^\/components\/schemas\/Faulty: not checked in requests: .*minLength/),
      expect.stringMatching(/^GET \/broken-pattern: served without request validation: .*/),
    ]);
  });

  describe('path parameters', () => {
    it('coerces to the declared type and locates violations as path.<name>', () => {
      expect(check('GET', '/persons/12')).toBeUndefined();
      const refusal = check('GET', '/persons/0');
      expect(refusal).toMatchObject({ code: 'validation_failed', status: 400, detail: "The request does not match GET /persons/{id} as the provider's OpenAPI document describes it" });
      expect(errorsOf(refusal)).toEqual([{ location: 'path.id', message: 'must be >= 1' }]);
      expect(errorsOf(check('GET', '/persons/abc'))).toEqual([{ location: 'path.id', message: 'must be integer' }]);
      expect(errorsOf(check('GET', '/persons/1.5'))).toEqual([{ location: 'path.id', message: 'must be integer' }]);
    });

    it('reads parameters of a path-item, percent-decoded, and several in one segment', () => {
      expect(errorsOf(check('PUT', '/persons/not-a-uuid/photo', { headers: { 'content-type': 'image/png' }, body: 'png' }))).toEqual([
        { location: 'path.id', message: 'must match format "uuid"' },
      ]);
      expect(check('PUT', '/files/a%20b.pdf', { headers: { 'content-type': 'application/octet-stream' }, body: 'x' })).toBeUndefined();
      expect(errorsOf(check('PUT', '/files/toolong.doc', { headers: { 'content-type': 'application/octet-stream' }, body: 'x' }))).toEqual([
        { location: 'path.name', message: 'must NOT have more than 5 characters' },
        { location: 'path.ext', message: 'must be one of "pdf", "txt"' },
      ]);
    });
  });

  describe('query parameters', () => {
    it('accepts a well-formed query and coerces integer, number, boolean and arrays', () => {
      expect(check('GET', '/persons', { query: '?q=ha+noi&page=2&tags=a&tags=b&ids=1,2,3&exact=true&ratio=0.5', headers: PERSONS_HEADERS })).toBeUndefined();
    });

    it('lists every violation with query.<name>, items located inside the array', () => {
      const refusal = check('GET', '/persons', { query: '?page=0&tags=a&tags=c&ids=1,x,3,4&exact=yes&ratio=0&q=x', headers: PERSONS_HEADERS });
      expect(errorsOf(refusal)).toEqual(
        expect.arrayContaining([
          { location: 'query.page', message: 'must be >= 1' },
          { location: 'query.tags/1', message: 'must be one of "a", "b"' },
          { location: 'query.ids', message: 'must NOT have more than 3 items' },
          { location: 'query.ids/1', message: 'must be integer' },
          { location: 'query.exact', message: 'must be boolean' },
          { location: 'query.ratio', message: 'must be > 0' },
          { location: 'query.q', message: 'must NOT have fewer than 2 characters' },
        ]),
      );
      expect(errorsOf(refusal)).toHaveLength(7);
    });

    it('requires a required parameter, accepts an empty one where allowEmptyValue says so, and a scalar once', () => {
      expect(errorsOf(check('GET', '/persons', { headers: PERSONS_HEADERS }))).toEqual([{ location: 'query.q', message: 'is required' }]);
      expect(check('GET', '/persons', { query: '?q=', headers: PERSONS_HEADERS })).toBeUndefined();
      expect(errorsOf(check('GET', '/persons', { query: '?q=ab&page=1&page=2', headers: PERSONS_HEADERS }))).toEqual([{ location: 'query.page', message: 'must be sent once' }]);
    });

    it('leaves to the provider what it does not describe or the gateway cannot read: other keys, deepObject', () => {
      expect(check('GET', '/persons', { query: '?q=ab&unknown=1&filter[name]=x', headers: PERSONS_HEADERS })).toBeUndefined();
    });
  });

  describe('header parameters', () => {
    it('finds them whatever the case they are declared in, and locates them lower-cased', () => {
      expect(errorsOf(check('GET', '/persons', { query: '?q=ab' }))).toEqual([{ location: 'header.x-tenant', message: 'is required' }]);
      expect(errorsOf(check('GET', '/persons', { query: '?q=ab', headers: { 'x-tenant': 'Ha Noi', 'x-limits': '1, x' } }))).toEqual([
        { location: 'header.x-tenant', message: 'must match pattern "^[a-z]+$"' },
        { location: 'header.x-limits/1', message: 'must be integer' },
      ]);
      expect(check('GET', '/persons', { query: '?q=ab', headers: { 'x-tenant': 'hanoi', 'x-limits': '1 , 2' } })).toBeUndefined();
    });

    it('ignores Authorization (OpenAPI says so), the headers the gateway sets, and cookies (never forwarded)', () => {
      // Required by the document, absent here: the consumer does not send them to the provider.
      expect(check('GET', '/persons', { query: '?q=ab', headers: { 'x-tenant': 'hanoi', authorization: 'Bearer x' } })).toBeUndefined();
    });
  });

  describe('JSON bodies', () => {
    it('accepts a valid body, resolving $refs through components (request bodies, schemas, recursion)', () => {
      const person = { ...VALID_PERSON, nickname: null, items: [{ name: 'x', size: null }, { name: 'y', size: 3 }], parent: VALID_PERSON };
      expect(check('POST', '/persons', jsonBody(person))).toBeUndefined();
      expect(check('PUT', '/persons/1', jsonBody(person, 'application/json; charset=UTF-8'))).toBeUndefined();
    });

    it('locates each violation by JSON pointer under body', () => {
      const refusal = check('POST', '/persons', jsonBody({ name: '', birthDate: '2025-02-30', extra: 1, items: [{ name: 'ok' }, { size: 'big' }], parent: { name: 'x' } }));
      expect(errorsOf(refusal)).toEqual([
        { location: 'body/extra', message: 'is not allowed' },
        { location: 'body/name', message: 'must NOT have fewer than 1 characters' },
        { location: 'body/birthDate', message: 'must match format "date"' },
        { location: 'body/items/1/name', message: 'is required' },
        { location: 'body/items/1/size', message: 'must be integer' },
        { location: 'body/parent/birthDate', message: 'is required' },
      ]);
    });

    it('admits null where the schema is nullable, and nowhere else', () => {
      expect(check('PATCH', '/persons/1', jsonBody({ nickname: null }, 'application/merge-patch+json'))).toBeUndefined();
      expect(errorsOf(check('PATCH', '/persons/1', jsonBody({ name: null }, 'application/merge-patch+json')))).toEqual([{ location: 'body/name', message: 'must be string' }]);
      expect(errorsOf(check('POST', '/persons', jsonBody(null)))).toEqual([{ location: 'body', message: 'must be object' }]);
    });

    it('never asks a request for a readOnly property, but refuses one the schema does not know', () => {
      expect(check('POST', '/persons', jsonBody({ ...VALID_PERSON, id: 7 }))).toBeUndefined();
    });

    it('answers a body that is not JSON, or not UTF-8, at location body', () => {
      for (const body of ['{"name":', 'null null', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])]) {
        expect(errorsOf(check('POST', '/persons', { headers: { 'content-type': 'application/json' }, body }))).toEqual([{ location: 'body', message: 'is not valid JSON (UTF-8)' }]);
      }
      expect(check('POST', '/persons', { headers: { 'content-type': 'application/json' }, body: `\uFEFF${JSON.stringify(VALID_PERSON)}` })).toBeUndefined();
    });

    it('requires a body where requestBody.required says so, and lets it be left out otherwise', () => {
      expect(errorsOf(check('PUT', '/persons/1', { headers: { 'content-type': 'application/json' } }))).toEqual([{ location: 'body', message: 'is required' }]);
      expect(errorsOf(check('POST', '/persons'))).toEqual([{ location: 'body', message: 'is required' }]);
      expect(check('POST', '/notes')).toBeUndefined();
    });

    it('checks OpenAPI formats (int32) and ignores formats it does not know', () => {
      expect(check('POST', '/notes', jsonBody({ text: 'x', sum: 2 ** 31 - 1, code: 'anything' }))).toBeUndefined();
      expect(errorsOf(check('POST', '/notes', jsonBody({ text: 'x', sum: 2 ** 31 })))).toEqual([{ location: 'body/sum', message: 'must match format "int32"' }]);
    });

    it('skips a component that is not a valid schema and checks the rest', () => {
      expect(check('POST', '/faulty-component', jsonBody({ odd: 42 }))).toBeUndefined();
      expect(errorsOf(check('POST', '/faulty-component', jsonBody({ odd: 42, n: 'x' })))).toEqual([{ location: 'body/n', message: 'must be integer' }]);
    });

    it('lists parameter and body violations together, up to maxErrors', () => {
      const refusal = check('PUT', '/persons/0', jsonBody({ name: 1, birthDate: 2, extra: 3 }), 3);
      expect(errorsOf(refusal)).toEqual([
        { location: 'path.id', message: 'must be >= 1' },
        { location: 'body/extra', message: 'is not allowed' },
        { location: 'body/name', message: 'must be string' },
      ]);
    });

    it('never modifies the bytes it parsed', () => {
      const body = Buffer.from(JSON.stringify({ ...VALID_PERSON, nickname: 'x' }));
      const copy = Buffer.from(body);
      check('POST', '/persons', { headers: { 'content-type': 'application/json' }, body });
      expect(body.equals(copy)).toBe(true);
    });
  });

  describe('content types', () => {
    it('answers 415 naming the accepted types for a Content-Type the operation does not list', () => {
      for (const contentType of ['text/plain', 'application/xml', 'application/merge-patch+json', 'garbage']) {
        const refusal = check('PUT', '/persons/1', { headers: { 'content-type': contentType }, body: JSON.stringify(VALID_PERSON) });
        expect(refusal).toMatchObject({ code: 'unsupported_media_type', status: 415, detail: 'PUT /persons/{id} accepts a request body of type application/json only' });
      }
      const patch = check('PATCH', '/persons/1', { headers: { 'content-type': 'text/plain' }, body: '{}' });
      expect(patch?.detail).toContain('application/merge-patch+json, application/json');
    });

    it('treats a body without Content-Type as application/octet-stream', () => {
      expect(check('PUT', '/persons/1', { body: JSON.stringify(VALID_PERSON) })?.code).toBe('unsupported_media_type');
      expect(check('PUT', '/files/a.pdf', { body: 'bytes' })).toBeUndefined();
    });

    it('accepts media ranges (image/*, */*) without judging the bytes by a JSON schema', () => {
      const id = '8ae592ae-2b55-4a79-9b9e-b475e5dda3ed';
      expect(check('PUT', `/persons/${id}/photo`, { headers: { 'content-type': 'image/png' }, body: Buffer.from([0x89, 0x50]) })).toBeUndefined();
      expect(check('PUT', `/persons/${id}/photo`, { headers: { 'content-type': 'application/pdf' }, body: '%PDF' })).toBeUndefined();
      expect(check('PUT', `/persons/${id}/photo`, { headers: { 'content-type': 'text/plain' }, body: 'x' })?.detail).toBe(
        'PUT /persons/{id}/photo accepts a request body of type image/*, application/pdf only',
      );
      expect(check('PUT', '/files/a.txt', { headers: { 'content-type': 'application/json' }, body: '{not json' })).toBeUndefined();
    });

    it('answers 415 to a body sent to an operation that takes none, and lets an empty one through', () => {
      expect(check('DELETE', '/persons/1', jsonBody({}))).toMatchObject({ code: 'unsupported_media_type', detail: 'DELETE /persons/{id} takes no request body' });
      expect(check('DELETE', '/persons/1', { headers: { 'content-type': 'application/json' }, body: '' })).toBeUndefined();
      expect(check('GET', '/persons/1', { headers: { 'content-type': 'text/plain' } })).toBeUndefined();
    });

    it('checks the media type before the parameters: a 415 says what to fix first', () => {
      expect(check('PUT', '/persons/0', { headers: { 'content-type': 'text/plain' }, body: 'x' })?.code).toBe('unsupported_media_type');
    });
  });
});

describe('requestValidatorsOf', () => {
  it('compiles a document once however many tables are built from it, and forgets it two builds after its last use', () => {
    const document = { ...DOCUMENT, info: { title: `cache ${Math.random()}`, version: '1' } };
    sweepRequestValidators();
    const problems: string[] = [];
    const first = requestValidatorsOf(document, 'persons v1', problems);
    expect(problems[0]).toMatch(/^persons v1: POST \/broken-ref: served without request validation/);
    sweepRequestValidators();
    const again: string[] = [];
    // Equal content, another object: as each registry snapshot loads it.
    expect(requestValidatorsOf(structuredClone(document), 'persons v1', again)).toBe(first);
    expect(again).toEqual(problems);
    sweepRequestValidators();
    const count = cachedRequestValidatorCount();
    sweepRequestValidators();
    sweepRequestValidators();
    expect(cachedRequestValidatorCount()).toBe(count - 1);
    expect(requestValidatorsOf(document, 'persons v1', [])).not.toBe(first);
  });

  it('has nothing to compile for a version without a document', () => {
    expect(requestValidatorsOf(null, 'soap v1', [])).toBeUndefined();
  });
});
