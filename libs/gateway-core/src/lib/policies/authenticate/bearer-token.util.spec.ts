import { LgspError } from '@lgsp/contracts';

import { bearerTokenOf } from './bearer-token.util';

describe('bearerTokenOf', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer    abc   ', 'abc'],
  ])('takes the token of %j', (header, token) => {
    expect(bearerTokenOf(header)).toBe(token);
  });

  it.each([
    [undefined, /No access token/],
    ['', /No access token/],
    ['Basic abc', /Bearer scheme/],
    ['Bear', /Bearer scheme/],
    ['Bearer\tabc', /Bearer scheme/],
    ['Bearerabc', /Bearer scheme/],
    ['Beare\u0172 abc', /Bearer scheme/],
    ['Bearer', /empty/],
    ['Bearer    ', /empty/],
  ])('refuses %j', (header, detail) => {
    const result = bearerTokenOf(header);
    expect(result).toBeInstanceOf(LgspError);
    expect((result as LgspError).detail).toMatch(detail);
  });
});
