import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { personsDocument } from './fixtures/persons-document.util';
import { validateOpenApiDocument } from './openapi-validation.util';
import type { OpenApiProblem } from './openapi.type';

async function problemsOf(document: unknown): Promise<readonly OpenApiProblem[]> {
  const result = await validateOpenApiDocument(document);
  return result.valid ? [] : result.problems;
}

describe('validateOpenApiDocument', () => {
  it('accepts a valid 3.0 document with internal and recursive $refs, returning a copy', async () => {
    const document = personsDocument();
    const before = structuredClone(document);
    const result = await validateOpenApiDocument(document);
    expect(result).toEqual({ valid: true, document: before });
    expect(result.valid && result.document).not.toBe(document);
    expect(document).toEqual(before);
  });

  it('reports a missing info at the root', async () => {
    const document = personsDocument();
    delete document.info;
    expect(await problemsOf(document)).toEqual([{ pointer: '', message: "must have required property 'info'" }]);
  });

  it('locates a bad type deep in a path, escaping / and ~ in the pointer', async () => {
    const document = personsDocument();
    document.paths['/persons/{id}'].get.responses = 'nope';
    document.paths['/files/~archive'] = { get: { responses: { '200': { description: 'ok', content: 'x' } } } };
    expect(await problemsOf(document)).toEqual([
      { pointer: '/paths/~1persons~1{id}/get/responses', message: 'must be object' },
      { pointer: '/paths/~1files~1~0archive/get/responses/200/content', message: 'must be object' },
    ]);
  });

  it('locates a problem inside a $ref’d schema at its definition, with the suggestion', async () => {
    const document = personsDocument();
    document.components.schemas.Relative.properties.relation.type = 'strin';
    expect(await problemsOf(document)).toEqual([
      {
        pointer: '/components/schemas/Relative/properties/relation/type',
        message: "must be equal to one of the allowed values (array, boolean, integer, number, object, string); did you mean 'string'?",
      },
    ]);
  });

  it('names an unexpected property at its own pointer', async () => {
    const document = personsDocument();
    document.info.owner = 'Sở TT&TT';
    expect(await problemsOf(document)).toEqual([
      { pointer: '/info/owner', message: "must NOT have additional properties ('owner' is not expected here)" },
    ]);
  });

  it('refuses external references at their $ref, and never fetches them', async () => {
    let requests = 0;
    const server = createServer((_request, response) => {
      requests += 1;
      response.setHeader('content-type', 'application/json');
      response.end('{"type":"string"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/person.json`;
      const document = personsDocument();
      document.paths['/persons/{id}'].get.responses['200'].content['application/json'].schema = { $ref: url };
      document.paths['/persons'].get.parameters.push({ $ref: 'parameters.yaml#/Page' });
      document.components.schemas.Relative.properties.person = { $ref: 'file:///etc/passwd' };
      const problems = await problemsOf(document);
      expect(problems.map((problem) => problem.pointer)).toEqual([
        '/components/schemas/Relative/properties/person/$ref',
        '/paths/~1persons/get/parameters/2/$ref',
        '/paths/~1persons~1{id}/get/responses/200/content/application~1json/schema/$ref',
      ]);
      expect(problems[2].message).toBe(
        `External reference '${url}' is refused: the document must be self-contained ('#/...' references only)`,
      );
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });

  it('reports a broken internal reference and still lists the other problems', async () => {
    const document = personsDocument();
    document.paths['/persons'].post.requestBody.content['application/json'].schema = { $ref: '#/components/schemas/Nobody' };
    document.paths['/persons'].get.responses = [];
    expect(await problemsOf(document)).toEqual([
      {
        pointer: '/paths/~1persons/post/requestBody/content/application~1json/schema/$ref',
        message: "Reference '#/components/schemas/Nobody' does not resolve within the document",
      },
      { pointer: '/paths/~1persons/get/responses', message: 'must be object' },
    ]);
  });

  it.each([
    ['OpenAPI 3.1', { openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {} }, '/openapi', '"3.1.0"'],
    ['OpenAPI 3.2', { openapi: '3.2.0', info: { title: 't', version: '1' }, paths: {} }, '/openapi', '"3.2.0"'],
    ['a numeric version', { openapi: 3, info: { title: 't', version: '1' }, paths: {} }, '/openapi', '3'],
    ['Swagger 2.0', { swagger: '2.0', info: { title: 't', version: '1' }, paths: {} }, '/swagger', 'Swagger "2.0"'],
    ['no version at all', { info: { title: 't', version: '1' }, paths: {} }, '', "'openapi'"],
  ])('accepts only OpenAPI 3.0: refuses %s with one problem', async (_name, document, pointer, mentions) => {
    const problems = await problemsOf(document);
    expect(problems).toEqual([{ pointer, message: expect.stringContaining('Only OpenAPI 3.0 documents are accepted') }]);
    expect(problems[0].message).toContain(mentions);
  });

  it.each([
    ['null', null],
    ['an array', [{ openapi: '3.0.3' }]],
    ['a string', 'openapi: 3.0.3'],
    ['a number', 42],
  ])('refuses %s with one problem at the root', async (_name, document) => {
    expect(await problemsOf(document)).toEqual([{ pointer: '', message: 'An OpenAPI document must be a JSON object' }]);
  });

  it('lists several problems at once', async () => {
    const document = personsDocument();
    delete document.info;
    document.servers = 'https://example.org';
    document.paths['/persons/{id}'].get.responses = 'nope';
    document.components.schemas.Person.properties.fullName.type = 'text';
    document.paths['/persons'].post.requestBody.content['application/json'].schema = { $ref: 'https://example.org/new-person.json' };
    expect(await problemsOf(document)).toEqual([
      {
        pointer: '/paths/~1persons/post/requestBody/content/application~1json/schema/$ref',
        message: expect.stringContaining("External reference 'https://example.org/new-person.json' is refused"),
      },
      { pointer: '', message: "must have required property 'info'" },
      { pointer: '/servers', message: 'must be array' },
      { pointer: '/paths/~1persons~1{id}/get/responses', message: 'must be object' },
      { pointer: '/components/schemas/Person/properties/fullName/type', message: expect.stringContaining('must be equal to one of the allowed values') },
    ]);
  });

  describe("the parser's own checks, located", () => {
    it('a path parameter the operation does not declare', async () => {
      const document = personsDocument();
      document.paths['/persons/{id}/photos/{photoId}'] = { get: { parameters: [{ $ref: '#/components/parameters/Limit' }], responses: { '200': { description: 'ok' } } } };
      expect(await problemsOf(document)).toEqual([
        { pointer: '/paths/~1persons~1{id}~1photos~1{photoId}/get', message: expect.stringContaining('is missing path parameter(s) for `{id}` and `{photoId}`') },
      ]);
    });

    it('an array without items inside a JSON media type', async () => {
      const document = personsDocument();
      document.paths['/persons/me'].get.responses['200'].content['application/json'].schema = { type: 'array' };
      expect(await problemsOf(document)).toEqual([
        { pointer: '/paths/~1persons~1me/get/responses/200/content/application~1json/schema', message: expect.stringContaining('must include an `items` schema') },
      ]);
    });

    it('a duplicated operationId, at the second occurrence', async () => {
      const document = personsDocument();
      document.paths['/persons/me'].get.operationId = 'getPerson';
      expect(await problemsOf(document)).toEqual([
        { pointer: '/paths/~1persons~1me/get/operationId', message: 'The operationId `getPerson` is duplicated and must be made unique.' },
      ]);
    });

    it('every path that lacks its leading slash', async () => {
      const document = personsDocument();
      document.paths['households'] = {};
      document.paths['households/{id}'] = {};
      expect(await problemsOf(document)).toEqual([
        { pointer: '/paths/households', message: 'Paths must begin with a leading slash' },
        { pointer: '/paths/households~1{id}', message: 'Paths must begin with a leading slash' },
      ]);
    });
  });
});
