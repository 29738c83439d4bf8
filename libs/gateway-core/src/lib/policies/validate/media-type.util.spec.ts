import { MediaTypeMatcher, isJsonMediaType, mediaEssence, mediaRangeOf } from './media-type.util';

describe('mediaEssence', () => {
  it.each([
    ['application/json', 'application/json'],
    ['Application/JSON; charset=UTF-8', 'application/json'],
    ['  application/merge-patch+json ;charset=utf-8', 'application/merge-patch+json'],
    ['text/plain;', 'text/plain'],
  ])('reads %j as %j', (value, essence) => {
    expect(mediaEssence(value)).toBe(essence);
  });

  it.each([undefined, '', 'json', '/json', 'application/', 'application/js on', 'appli"cation/json'])('finds no media type in %j', (value) => {
    expect(mediaEssence(value)).toBeUndefined();
  });
});

describe('isJsonMediaType', () => {
  it('knows application/json and the +json suffix types, not ranges or lookalikes', () => {
    expect(['application/json', 'application/merge-patch+json', 'application/vnd.lgsp.person+json'].map(isJsonMediaType)).toEqual([true, true, true]);
    expect(['application/*', '*/*', 'text/json5', 'application/jsonl', 'application/xml'].map(isJsonMediaType)).toEqual([false, false, false, false, false]);
  });
});

describe('MediaTypeMatcher', () => {
  const matcher = (...keys: string[]) => new MediaTypeMatcher(keys.map((key) => [mediaRangeOf(key)!, key] as const));

  it('prefers the exact type, then type/*, then */*', () => {
    const m = matcher('*/*', 'application/*', 'application/json');
    expect(m.match('application/json')).toBe('application/json');
    expect(m.match('application/xml')).toBe('application/*');
    expect(m.match('text/plain')).toBe('*/*');
  });

  it('matches a key written with parameters, and nothing outside the ranges given', () => {
    const m = matcher('application/json; charset=utf-8', 'text/*');
    expect(m.match('application/json')).toBe('application/json; charset=utf-8');
    expect(m.match('text/csv')).toBe('text/*');
    expect(m.match('application/merge-patch+json')).toBeUndefined();
    expect(m.match(undefined)).toBeUndefined();
  });

  it('lets an unreadable Content-Type through only where any type is accepted', () => {
    expect(matcher('*/*').match(undefined)).toBe('*/*');
  });
});
