import { followRefs, resolveLocalRef } from './local-ref.util';

const document = {
  components: {
    schemas: {
      'Ho so/Person': { type: 'object', properties: { name: { type: 'string' } } },
      Alias: { $ref: '#/components/schemas/Ho%20so~1Person' },
      Loop: { $ref: '#/components/schemas/Loop2' },
      Loop2: { $ref: '#/components/schemas/Loop' },
    },
  },
  list: [{ $ref: '#/components/schemas/Alias' }],
};

describe('resolveLocalRef', () => {
  it('resolves a percent-encoded, ~-escaped fragment to where the value is written', () => {
    expect(resolveLocalRef(document, '#/components/schemas/Ho%20so~1Person/properties/name')).toEqual({
      value: { type: 'string' },
      pointer: '/components/schemas/Ho so~1Person/properties/name',
    });
  });

  it('follows a reference met half-way along the pointer', () => {
    expect(resolveLocalRef(document, '#/components/schemas/Alias/properties/name')?.pointer).toBe(
      '/components/schemas/Ho so~1Person/properties/name',
    );
  });

  it.each(['https://example.org/x.json', 'x.yaml#/a', '#/components/schemas/Nobody', '#/list/1', '#/list/length', '#/__proto__', '#%E0', '#/a~2'])(
    'resolves nothing for %j',
    (ref) => {
      expect(resolveLocalRef(document, ref)).toBeUndefined();
    },
  );
});

describe('followRefs', () => {
  it('follows chains of references to the definition', () => {
    expect(followRefs(document, { value: document.list[0], pointer: '/list/0' })?.pointer).toBe('/components/schemas/Ho so~1Person');
  });

  it('gives up on a loop instead of spinning', () => {
    expect(followRefs(document, { value: document.components.schemas.Loop, pointer: '/components/schemas/Loop' })).toBeUndefined();
  });
});
