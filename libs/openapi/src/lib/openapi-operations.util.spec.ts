import { personsDocument } from './fixtures/persons-document.util';
import { operationsOf } from './openapi-operations.util';

const TUYET_MAT = 'Tuyệt mật data never crosses the platform';

describe('operationsOf', () => {
  it('lists operations sorted by path then method, the most specific classification winning', () => {
    expect(operationsOf(personsDocument(), 'cong-khai')).toEqual({
      operations: [
        { method: 'GET', path: '/persons', key: 'GET /persons', operationId: 'listPersons', classification: 'noi-bo' },
        { method: 'POST', path: '/persons', key: 'POST /persons', operationId: 'createPerson', classification: 'mat' },
        { method: 'GET', path: '/persons/me', key: 'GET /persons/me', operationId: 'getMe', classification: 'cong-khai' },
        { method: 'GET', path: '/persons/{id}', key: 'GET /persons/{id}', operationId: 'getPerson', classification: 'mat' },
      ],
      problems: [],
    });
  });

  it("falls back to the API's default without a document-level classification, and omits a missing operationId", () => {
    const document = personsDocument();
    delete document['x-lgsp-classification'];
    delete document.paths['/persons'].get.operationId;
    document.paths['/persons'].delete = { responses: { '204': { description: 'gone' } } };
    const { operations, problems } = operationsOf(document, 'toi-mat');
    expect(problems).toEqual([]);
    expect(operations.filter((operation) => operation.path === '/persons')).toEqual([
      { method: 'DELETE', path: '/persons', key: 'DELETE /persons', classification: 'toi-mat' },
      { method: 'GET', path: '/persons', key: 'GET /persons', classification: 'toi-mat' },
      { method: 'POST', path: '/persons', key: 'POST /persons', operationId: 'createPerson', classification: 'mat' },
    ]);
    expect(operations[1]).not.toHaveProperty('operationId');
  });

  it('reports an unknown classification at its extension, once, and leaves its operations out', () => {
    const document = personsDocument();
    document.paths['/persons/{id}']['x-lgsp-classification'] = 'secret';
    document.paths['/persons/{id}'].delete = { responses: { '204': { description: 'gone' } } };
    document.paths['/persons/me'].get['x-lgsp-classification'] = 3;
    const { operations, problems } = operationsOf(document, 'noi-bo');
    expect(operations.map((operation) => operation.key)).toEqual(['GET /persons', 'POST /persons']);
    expect(problems).toEqual([
      {
        pointer: '/paths/~1persons~1me/get/x-lgsp-classification',
        message: 'x-lgsp-classification must be one of cong-khai, noi-bo, mat, toi-mat, tuyet-mat; found 3',
      },
      {
        pointer: '/paths/~1persons~1{id}/x-lgsp-classification',
        message: 'x-lgsp-classification must be one of cong-khai, noi-bo, mat, toi-mat, tuyet-mat; found "secret"',
      },
    ]);
  });

  it('reports an unknown document-level classification once for all the operations inheriting it', () => {
    const document = personsDocument();
    document['x-lgsp-classification'] = 'Mật';
    const { operations, problems } = operationsOf(document, 'noi-bo');
    expect(operations.map((operation) => operation.key)).toEqual(['POST /persons', 'GET /persons/me', 'GET /persons/{id}']);
    expect(problems).toEqual([{ pointer: '/x-lgsp-classification', message: expect.stringContaining('found "Mật"') }]);
  });

  it('refuses tuyet-mat operations, at the operation’s extension or at the operation when inherited', () => {
    const document = personsDocument();
    document.paths['/secrets'] = { get: { 'x-lgsp-classification': 'tuyet-mat', responses: { '200': { description: 'no' } } } };
    document.paths['/persons/{id}']['x-lgsp-classification'] = 'tuyet-mat';
    const { operations, problems } = operationsOf(document, 'noi-bo');
    expect(operations.map((operation) => operation.key)).toEqual(['GET /persons', 'POST /persons', 'GET /persons/me']);
    expect(problems).toEqual([
      { pointer: '/paths/~1persons~1{id}/get', message: `GET /persons/{id} is classified tuyet-mat (by the path item): ${TUYET_MAT}` },
      { pointer: '/paths/~1secrets/get/x-lgsp-classification', message: `GET /secrets is classified tuyet-mat (by the operation): ${TUYET_MAT}` },
    ]);
  });

  it('refuses every operation a tuyet-mat default would classify', () => {
    const document = personsDocument();
    delete document['x-lgsp-classification'];
    const { operations, problems } = operationsOf(document, 'tuyet-mat');
    expect(operations.map((operation) => operation.key)).toEqual(['POST /persons', 'GET /persons/me', 'GET /persons/{id}']);
    expect(problems).toEqual([
      { pointer: '/paths/~1persons/get', message: `GET /persons is classified tuyet-mat (by the API's default): ${TUYET_MAT}` },
    ]);
  });

  it('follows an internal $ref to a path item', () => {
    const document = personsDocument();
    document.paths['/people/{id}'] = { $ref: '#/paths/~1persons~1{id}' };
    const { operations } = operationsOf(document, 'noi-bo');
    expect(operations.find((operation) => operation.path === '/people/{id}')).toEqual({
      method: 'GET',
      path: '/people/{id}',
      key: 'GET /people/{id}',
      operationId: 'getPerson',
      classification: 'mat',
    });
  });
});
