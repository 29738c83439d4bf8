import { personsDocument } from './fixtures/persons-document.util';
import { problemsOfParserError, sourcePointerOf, tokensAtLine, tokensOfLooseId } from './parser-error.util';

describe('tokensAtLine', () => {
  it('names the member that starts on every line of JSON.stringify(document, null, 2)', () => {
    const document = { ...personsDocument(), list: [1, [], {}, { 'a"b': null }] };
    const lines = JSON.stringify(document, null, 2).split('\n');
    lines.forEach((text, index) => {
      const tokens = tokensAtLine(document, index + 1);
      const indent = text.length - text.trimStart().length;
      const key = /^\s*("(?:[^"\\]|\\.)*"):/.exec(text);
      if (/^\s*[\]}],?$/.test(text)) {
        expect(tokens?.length).toBe(indent / 2);
      } else {
        expect({ text, depth: tokens?.length }).toEqual({ text, depth: indent / 2 });
        if (key) expect(tokens?.at(-1)).toBe(JSON.parse(key[1]));
      }
    });
    expect(tokensAtLine(document, lines.length + 1)).toBeUndefined();
  });
});

describe('tokensOfLooseId', () => {
  const document = personsDocument();
  it.each([
    ['/paths/persons/{id}/get', ['paths', '/persons/{id}', 'get']],
    ['/paths/persons/{id}/parameters/id', ['paths', '/persons/{id}', 'parameters', '0']],
    ['/paths/persons/get/responses/200/content/application/json/schema', ['paths', '/persons', 'get', 'responses', '200', 'content', 'application/json', 'schema']],
    ['/paths/households/get', ['paths']],
  ])('resolves %s as far as it goes', (id, tokens) => {
    expect(tokensOfLooseId(document, id)).toEqual(tokens);
  });
});

describe('sourcePointerOf', () => {
  it('continues from the definition where the upload has a $ref', () => {
    const tokens = ['paths', '/persons/{id}', 'get', 'responses', '200', 'content', 'application/json', 'schema', 'properties', 'relatives', 'items', 'properties', 'relation'];
    expect(sourcePointerOf(personsDocument(), tokens)).toBe('/components/schemas/Relative/properties/relation');
  });
});

describe('problemsOfParserError', () => {
  it('keeps an unrecognised message, at the root', () => {
    const context = { source: personsDocument(), dereferenced: undefined };
    expect(problemsOfParserError('Something unexpected happened.', context)).toEqual([{ pointer: '', message: 'Something unexpected happened.' }]);
  });
});
