import { DEFINITIONS_ID, RequestSchemaConverter, SchemaConversionError, dereference } from './openapi-schema.util';

const ref = (key: string) => `${DEFINITIONS_ID}#/definitions/${key}`;

describe('RequestSchemaConverter', () => {
  it('admits null where OpenAPI 3.0 says nullable, widening the type and the enum', () => {
    const converter = new RequestSchemaConverter({});
    expect(converter.convert({ type: 'string', nullable: true, maxLength: 3 })).toEqual({ type: ['string', 'null'], maxLength: 3 });
    expect(converter.convert({ type: 'string', enum: ['a', 'b'], nullable: true })).toEqual({ type: ['string', 'null'], enum: ['a', 'b', null] });
    expect(converter.convert({ type: 'string', nullable: false })).toEqual({ type: 'string' });
  });

  it('admits null on a nullable schema without a type, and judges anything else by it', () => {
    const converter = new RequestSchemaConverter({});
    expect(converter.convert({ allOf: [{ minLength: 2 }], nullable: true })).toEqual({ if: { type: 'null' }, else: { allOf: [{ minLength: 2 }] } });
  });

  it('turns draft-4 boolean exclusive bounds into the numeric ones', () => {
    const converter = new RequestSchemaConverter({});
    expect(converter.convert({ type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: false })).toEqual({
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 10,
    });
  });

  it('never requires a readOnly property of a request, even behind a $ref', () => {
    const document = { components: { schemas: { Id: { type: 'string', readOnly: true } } } };
    const converter = new RequestSchemaConverter(document);
    const converted = converter.convert({
      type: 'object',
      required: ['id', 'createdAt', 'name'],
      properties: { id: { $ref: '#/components/schemas/Id' }, createdAt: { type: 'string', readOnly: true }, name: { type: 'string' } },
    });
    expect(converted).toMatchObject({ required: ['name'] });
  });

  it('points each $ref into one set of definitions, converted once, recursion included', () => {
    const document = {
      components: {
        schemas: {
          Node: { type: 'object', properties: { name: { type: 'string', nullable: true }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } },
          Alias: { $ref: '#/components/schemas/Node' },
        },
      },
    };
    const converter = new RequestSchemaConverter(document);
    expect(converter.convert({ $ref: '#/components/schemas/Alias', description: 'siblings of $ref are ignored' })).toEqual({ $ref: ref('d0') });
    expect(converter.convert({ items: { $ref: '#/components/schemas/Node' } })).toEqual({ items: { $ref: ref('d1') } });
    expect(converter.definitionList()).toEqual([
      { key: 'd0', pointer: '/components/schemas/Alias', schema: { $ref: ref('d1') } },
      {
        key: 'd1',
        pointer: '/components/schemas/Node',
        schema: { type: 'object', properties: { name: { type: ['string', 'null'] }, children: { type: 'array', items: { $ref: ref('d1') } } } },
      },
    ]);
  });

  it('resolves percent-encoded and escaped pointers', () => {
    const document = { components: { schemas: { 'a/b c': { type: 'integer' } } } };
    const converter = new RequestSchemaConverter(document);
    converter.convert({ $ref: '#/components/schemas/a~1b%20c' });
    expect(converter.definitionList()[0]).toMatchObject({ pointer: '/components/schemas/a~1b c', schema: { type: 'integer' } });
  });

  it('refuses references outside the document, and ones that lead nowhere', () => {
    const converter = new RequestSchemaConverter({ components: {} });
    expect(() => converter.convert({ $ref: 'https://example.com/schema.json' })).toThrow(SchemaConversionError);
    expect(() => converter.convert({ properties: { a: { $ref: '#/components/schemas/Missing' } } })).toThrow(/does not resolve/);
  });

  it('leaves the document as it was', () => {
    const document = { components: { schemas: { P: { type: 'object', required: ['id'], properties: { id: { type: 'string', readOnly: true, nullable: true } } } } } };
    const before = structuredClone(document);
    new RequestSchemaConverter(document).convert({ $ref: '#/components/schemas/P' });
    expect(document).toEqual(before);
  });

  it('refuses literal nesting deep enough to be an attack', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 100; i++) schema = { type: 'array', items: schema };
    expect(() => new RequestSchemaConverter({}).convert(schema)).toThrow(/deeper than/);
  });
});

describe('dereference', () => {
  it('follows a chain of references and stops a loop', () => {
    const document = { components: { parameters: { A: { $ref: '#/components/parameters/B' }, B: { name: 'b', in: 'query' } }, loops: { X: { $ref: '#/components/loops/X' } } } };
    expect(dereference(document, { $ref: '#/components/parameters/A' })).toEqual({ name: 'b', in: 'query' });
    expect(() => dereference(document, { $ref: '#/components/loops/X' })).toThrow(/loops/);
  });
});
