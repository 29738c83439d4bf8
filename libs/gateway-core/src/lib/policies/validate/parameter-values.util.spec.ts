import { coerce, queryValues, valueOf } from './parameter-values.util';

describe('coerce', () => {
  it.each([
    ['12', 'integer', 12],
    ['-3', 'integer', -3],
    ['007', 'integer', 7],
    ['1.5', 'integer', '1.5'],
    ['0x10', 'integer', '0x10'],
    [' 12', 'integer', ' 12'],
    ['', 'integer', ''],
    ['1.5', 'number', 1.5],
    ['-.5e3', 'number', -500],
    ['1e', 'number', '1e'],
    ['Infinity', 'number', 'Infinity'],
    ['true', 'boolean', true],
    ['false', 'boolean', false],
    ['TRUE', 'boolean', 'TRUE'],
    ['1', 'boolean', '1'],
    ['12', 'string', '12'],
    ['12', undefined, '12'],
  ] as const)('reads %j as a %s as %j', (text, type, value) => {
    expect(coerce(text, type)).toBe(value);
  });
});

describe('valueOf', () => {
  it('reads a scalar from its only text', () => {
    expect(valueOf(['5'], { kind: 'scalar', type: 'integer' })).toBe(5);
  });

  it('reads an array from repeated keys (form, explode) or split on its delimiter', () => {
    expect(valueOf(['1', 'x'], { kind: 'array', itemType: 'integer', separator: undefined, trim: false })).toEqual([1, 'x']);
    expect(valueOf(['1,2', '3'], { kind: 'array', itemType: 'integer', separator: ',', trim: false })).toEqual([1, 2, 3]);
    expect(valueOf(['a|b'], { kind: 'array', itemType: 'string', separator: '|', trim: false })).toEqual(['a', 'b']);
    expect(valueOf([''], { kind: 'array', itemType: 'string', separator: ',', trim: false })).toEqual([]);
  });

  it('trims the whitespace a header list allows around its commas', () => {
    expect(valueOf(['true , false'], { kind: 'array', itemType: 'boolean', separator: ',', trim: true })).toEqual([true, false]);
  });
});

describe('queryValues', () => {
  const wanted = new Set(['q', 'ids', 'flag', 'a b']);

  it('form-decodes the wanted keys and keeps every occurrence in order', () => {
    const found = queryValues('?q=ha+noi%20x&ids=1&other=%ZZ&ids=2&flag&a+b=%C4%90', wanted);
    expect(Object.fromEntries(found)).toEqual({ q: ['ha noi x'], ids: ['1', '2'], flag: [''], 'a b': ['Đ'] });
  });

  it('keeps a value that is not valid percent-encoding as sent, for the schema to judge', () => {
    expect(queryValues('q=%E0%A4%A', wanted).get('q')).toEqual(['%E0%A4%A']);
  });

  it('finds nothing in an empty query or empty pairs', () => {
    expect(queryValues('', wanted).size).toBe(0);
    expect(queryValues('?&&', wanted).size).toBe(0);
  });
});
