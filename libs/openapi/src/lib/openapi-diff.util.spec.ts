import { personsDocument } from './fixtures/persons-document.util';
import { diffOpenApi } from './openapi-diff.util';
import type { BreakingChange } from './openapi.type';

type Document = ReturnType<typeof personsDocument>;

/** Diffs the fixture against a copy changed by `change`. */
function diffAfter(change: (next: Document) => void, prepare: (previous: Document) => void = () => undefined): BreakingChange[] {
  const previous = personsDocument();
  prepare(previous);
  const next = structuredClone(previous);
  change(next);
  return diffOpenApi(previous, next);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

describe('diffOpenApi', () => {
  it('reports nothing for an identical document', () => {
    expect(diffOpenApi(personsDocument(), personsDocument())).toEqual([]);
  });

  it('reports nothing for compatible changes', () => {
    const changes = diffAfter(
      (next) => {
        next.info.description = 'Now with a description';
        next.paths['/persons/{id}'].get.responses['200'].description = 'The person, in full';
        next.paths['/persons/{id}'].delete = { responses: { '204': { description: 'Deleted' } } };
        next.paths['/persons'].get.parameters.push({ name: 'q', in: 'query', schema: { type: 'string' } });
        next.paths['/persons'].get.parameters[1].schema.enum.push('unknown');
        next.paths['/persons'].post.requestBody.required = false;
        next.components.schemas.NewPerson.properties.nickname = { type: 'string' };
        next.components.schemas.NewPerson.required = [];
        next.components.schemas.Person.properties.nationality = { type: 'string' };
        next.components.schemas.Person.properties.status.enum.push('unknown');
        next.components.schemas.Person.properties.fullName.format = 'name';
        next.paths['/persons/{personId}'] = next.paths['/persons/{id}'];
        next.paths['/persons/{personId}'].parameters[0].name = 'personId';
        delete next.paths['/persons/{id}'];
      },
      (previous) => {
        previous.components.schemas.Person.properties.status = { type: 'string', enum: ['alive', 'deceased'] };
      },
    );
    expect(changes).toEqual([]);
  });

  it('operation-removed: points into the previous document', () => {
    expect(diffAfter((next) => delete next.paths['/persons/me'])).toEqual([
      { rule: 'operation-removed', pointer: '/paths/~1persons~1me/get', message: 'GET /persons/me: the operation was removed' },
    ]);
    expect(diffAfter((next) => delete next.paths['/persons'].post)).toEqual([
      { rule: 'operation-removed', pointer: '/paths/~1persons/post', message: 'POST /persons: the operation was removed' },
    ]);
  });

  it('response-field-removed: through a $ref’d component, for every operation that returns it', () => {
    expect(diffAfter((next) => delete next.components.schemas.Person.properties.birthDate)).toEqual(
      [
        "GET /persons: response 200 property 'items[].birthDate' was removed",
        "POST /persons: response 201 property 'birthDate' was removed",
        "GET /persons/me: response 200 property 'birthDate' was removed",
        "GET /persons/{id}: response 200 property 'birthDate' was removed",
      ].map((message) => ({ rule: 'response-field-removed', pointer: '/components/schemas/Person/properties/birthDate', message })),
    );
  });

  it('response-field-removed: in nested objects and array items of a recursive schema', () => {
    const changes = diffAfter((next) => {
      delete next.components.schemas.Person.properties.address.properties.ward;
      delete next.components.schemas.Relative.properties.relation;
    });
    expect(changes.filter((change) => change.message.startsWith('GET /persons/{id}:'))).toEqual([
      {
        rule: 'response-field-removed',
        pointer: '/components/schemas/Person/properties/address/properties/ward',
        message: "GET /persons/{id}: response 200 property 'address.ward' was removed",
      },
      {
        rule: 'response-field-removed',
        pointer: '/components/schemas/Relative/properties/relation',
        message: "GET /persons/{id}: response 200 property 'relatives[].relation' was removed",
      },
    ]);
    expect(changes).toHaveLength(8);
  });

  it('response-field-removed: when an operation now references a smaller schema', () => {
    const changes = diffAfter((next) => {
      next.components.schemas.PersonSummary = { type: 'object', properties: { id: { type: 'string' }, fullName: { type: 'string' } } };
      next.paths['/persons/me'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/PersonSummary' };
    });
    expect(changes).toEqual(
      ['birthDate', 'address', 'relatives'].map((name) => ({
        rule: 'response-field-removed',
        pointer: `/components/schemas/Person/properties/${name}`,
        message: `GET /persons/me: response 200 property '${name}' was removed`,
      })),
    );
  });

  it('response-field-removed: from an allOf member', () => {
    const withBase = (document: Document) => {
      const { id, fullName, ...rest } = document.components.schemas.Person.properties;
      document.components.schemas.Identified = { type: 'object', properties: { id, fullName } };
      document.components.schemas.Person = { allOf: [{ $ref: '#/components/schemas/Identified' }, { type: 'object', properties: rest }] };
    };
    const changes = diffAfter((next) => delete next.components.schemas.Identified.properties.fullName, withBase);
    expect(changes.map((change) => [change.rule, change.pointer])).toEqual(
      Array(4).fill(['response-field-removed', '/components/schemas/Identified/properties/fullName']),
    );
    expect(changes[3].message).toBe("GET /persons/{id}: response 200 property 'fullName' was removed");
  });

  it('required-input-added: a required parameter, request property or request body', () => {
    expect(
      diffAfter((next) => {
        next.paths['/persons'].get.parameters.push({ name: 'province', in: 'query', required: true, schema: { type: 'string' } });
        next.paths['/persons'].get.parameters.push({ name: 'X-Purpose', in: 'header', required: true, schema: { type: 'string' } });
        next.components.schemas.NewPerson.properties.nationalId = { type: 'string', pattern: '^[0-9]{12}$' };
        next.components.schemas.NewPerson.required.push('nationalId');
      }),
    ).toEqual([
      { rule: 'required-input-added', pointer: '/paths/~1persons/get/parameters/2', message: "GET /persons: required query parameter 'province' was added" },
      { rule: 'required-input-added', pointer: '/paths/~1persons/get/parameters/3', message: "GET /persons: required header parameter 'X-Purpose' was added" },
      {
        rule: 'required-input-added',
        pointer: '/components/schemas/NewPerson/properties/nationalId',
        message: "POST /persons: required request body property 'nationalId' was added",
      },
    ]);
    expect(
      diffAfter(
        (next) => (next.paths['/persons'].post.requestBody = { required: true, content: { 'application/json': { schema: { type: 'object' } } } }),
        (previous) => delete previous.paths['/persons'].post.requestBody,
      ),
    ).toEqual([{ rule: 'required-input-added', pointer: '/paths/~1persons/post/requestBody', message: 'POST /persons: a required request body was added' }]);
  });

  it('input-became-required: an optional parameter, request property or request body', () => {
    expect(
      diffAfter(
        (next) => {
          next.components.parameters.Limit.required = true;
          next.components.schemas.NewPerson.required.push('gender');
          next.paths['/persons'].post.requestBody.required = true;
        },
        (previous) => (previous.paths['/persons'].post.requestBody.required = false),
      ),
    ).toEqual([
      { rule: 'input-became-required', pointer: '/components/parameters/Limit/required', message: "GET /persons: query parameter 'limit' became required" },
      { rule: 'input-became-required', pointer: '/paths/~1persons/post/requestBody/required', message: 'POST /persons: the request body became required' },
      {
        rule: 'input-became-required',
        pointer: '/components/schemas/NewPerson/properties/gender',
        message: "POST /persons: request body property 'gender' became required",
      },
    ]);
  });

  it('type-changed: a parameter, a request property and a response property; format only when both are set', () => {
    const changes = diffAfter((next) => {
      next.components.parameters.Limit.schema.type = 'string';
      next.components.schemas.NewPerson.properties.birthDate.format = 'date-time';
      next.components.schemas.NewPerson.properties.fullName.format = 'name';
      next.components.schemas.Person.properties.id.type = 'integer';
    });
    const idChanged = (response: string, property = 'id') => ({
      rule: 'type-changed',
      pointer: '/components/schemas/Person/properties/id/type',
      message: `${response} property '${property}' type changed from "string" to "integer"`,
    });
    expect(changes).toEqual([
      {
        rule: 'type-changed',
        pointer: '/components/parameters/Limit/schema/type',
        message: 'GET /persons: query parameter \'limit\' type changed from "integer" to "string"',
      },
      idChanged('GET /persons: response 200', 'items[].id'),
      {
        rule: 'type-changed',
        pointer: '/components/schemas/NewPerson/properties/birthDate/format',
        message: 'POST /persons: request body property \'birthDate\' format changed from "date" to "date-time"',
      },
      idChanged('POST /persons: response 201'),
      idChanged('GET /persons/me: response 200'),
      idChanged('GET /persons/{id}: response 200'),
    ]);
  });

  it('enum-narrowed: in request inputs only; a response enum that gains values is not reported', () => {
    const changes = diffAfter(
      (next) => {
        next.paths['/persons'].get.parameters[1].schema.enum = ['active', 'deceased'];
        next.components.schemas.NewPerson.properties.gender.enum = ['nam', 'nu'];
        next.components.schemas.NewPerson.properties.fullName.enum = ['Nguyễn Văn A'];
        next.components.schemas.Person.properties.status.enum = ['alive'];
        next.components.schemas.Relative.properties.relation.enum = ['cha', 'me', 'vo', 'chong', 'con'];
      },
      (previous) => (previous.components.schemas.Person.properties.status = { type: 'string', enum: ['alive', 'deceased'] }),
    );
    expect(changes).toEqual([
      {
        rule: 'enum-narrowed',
        pointer: '/paths/~1persons/get/parameters/1/schema/enum',
        message: 'GET /persons: query parameter \'status\' no longer accepts "moved"',
      },
      {
        rule: 'enum-narrowed',
        pointer: '/components/schemas/NewPerson/properties/fullName/enum',
        message: 'POST /persons: request body property \'fullName\' is now restricted to "Nguyễn Văn A"',
      },
      {
        rule: 'enum-narrowed',
        pointer: '/components/schemas/NewPerson/properties/gender/enum',
        message: 'POST /persons: request body property \'gender\' no longer accepts "khac"',
      },
    ]);
  });

  it('names operations by the next template when a path parameter was renamed', () => {
    const changes = diffAfter((next) => {
      next.paths['/persons/{personId}'] = next.paths['/persons/{id}'];
      next.paths['/persons/{personId}'].parameters[0].name = 'personId';
      delete next.paths['/persons/{id}'];
      next.paths['/persons/{personId}'].get.responses['200'].content['application/json'].schema = { type: 'object' };
    });
    expect(changes.map((change) => change.message)).toEqual(
      ['id', 'fullName', 'birthDate', 'address', 'relatives'].map((name) => `GET /persons/{personId}: response 200 property '${name}' was removed`),
    );
  });

  it('leaves both documents untouched', () => {
    const previous = personsDocument();
    const next = personsDocument();
    delete next.components.schemas.Person.properties.fullName;
    next.components.parameters.Limit.required = true;
    const snapshot = structuredClone([previous, next]);
    expect(diffOpenApi(deepFreeze(previous), deepFreeze(next))).toHaveLength(5);
    expect([previous, next]).toEqual(snapshot);
  });
});
