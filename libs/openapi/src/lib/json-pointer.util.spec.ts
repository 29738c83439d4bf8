import { escapePointerToken, parsePointer, toPointer } from './json-pointer.util';

describe('JSON pointers (RFC 6901)', () => {
  it('escapes ~ before /, so that the two never mix', () => {
    expect(escapePointerToken('/files/~1')).toBe('~1files~1~01');
    expect(toPointer(['paths', '/persons/{id}', 'get'])).toBe('/paths/~1persons~1{id}/get');
    expect(toPointer([])).toBe('');
  });

  it('round-trips any tokens', () => {
    const tokens = ['', 'a/b', '~0', '~1', 'ho so', '%2F', 'Đỗ'];
    expect(parsePointer(toPointer(tokens))).toEqual(tokens);
  });

  it.each([
    ['', []],
    ['/', ['']],
    ['/a~1b/c~0d', ['a/b', 'c~d']],
    ['/~01', ['~1']],
  ])('parses %j', (pointer, tokens) => {
    expect(parsePointer(pointer)).toEqual(tokens);
  });

  it.each(['a/b', '#/a', '/a~2', '/a~'])('refuses %j', (pointer) => {
    expect(parsePointer(pointer)).toBeUndefined();
  });
});
