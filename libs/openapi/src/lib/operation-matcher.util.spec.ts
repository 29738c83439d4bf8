import { HTTP_METHODS } from './openapi.constant';
import type { HttpMethod, OpenApiOperation } from './openapi.type';
import { compileOperationMatcher, matchedPathParameters } from './operation-matcher.util';

function operation(method: HttpMethod, path: string): OpenApiOperation {
  return { method, path, key: `${method} ${path}`, classification: 'noi-bo' };
}

const getPerson = operation('GET', '/persons/{id}');
const getMe = operation('GET', '/persons/me');
const deletePerson = operation('DELETE', '/persons/{id}');
const listPersons = operation('GET', '/persons');
const headPhoto = operation('HEAD', '/persons/{id}/photo');
const getPhoto = operation('GET', '/persons/{id}/photo');
const postPhoto = operation('POST', '/persons/{id}/photos');
const getDocument = operation('GET', '/documents/{name}.{format}');
const getPdf = operation('GET', '/documents/{name}.pdf');
const root = operation('GET', '/');
const OPERATIONS = [getPerson, getMe, deletePerson, listPersons, headPhoto, getPhoto, postPhoto, getDocument, getPdf, root];

describe('compileOperationMatcher', () => {
  const matcher = compileOperationMatcher(OPERATIONS);

  it.each([
    ['as written', OPERATIONS],
    ['reversed', [...OPERATIONS].reverse()],
  ])('prefers concrete paths to templated ones, operations %s', (_order, operations) => {
    const compiled = compileOperationMatcher(operations);
    expect(compiled.match('GET', '/persons/me')).toBe(getMe);
    expect(compiled.match('GET', '/persons/42')).toBe(getPerson);
    expect(compiled.match('GET', '/documents/report.pdf')).toBe(getPdf);
    expect(compiled.match('GET', '/documents/report.csv')).toBe(getDocument);
  });

  it('backtracks to a template when the concrete path lacks the method', () => {
    expect(matcher.match('DELETE', '/persons/me')).toBe(deletePerson);
    expect(matcher.match('POST', '/persons/me')).toBeUndefined();
  });

  it('matches one non-empty raw segment per parameter', () => {
    expect(matcher.match('GET', '/persons/a%2Fb')).toBe(getPerson);
    expect(matcher.match('GET', '/persons/m%65')).toBe(getPerson);
    expect(matcher.match('GET', '/persons/')).toBeUndefined();
    expect(matcher.match('GET', '/persons//photo')).toBeUndefined();
    expect(matcher.match('GET', '/documents/.pdf')).toBeUndefined();
  });

  it('matches the number of segments exactly, trailing slash included', () => {
    expect(matcher.match('GET', '/persons')).toBe(listPersons);
    expect(matcher.match('GET', '/persons/')).toBeUndefined();
    expect(matcher.match('GET', '/persons/me/')).toBeUndefined();
    expect(matcher.match('GET', '/persons/42/photo/')).toBeUndefined();
    expect(matcher.match('GET', '/persons/42/photo/1')).toBeUndefined();
    expect(matcher.match('GET', '/')).toBe(root);
    expect(matcher.match('GET', '')).toBeUndefined();
    expect(matcher.match('GET', 'persons')).toBeUndefined();
  });

  it('answers HEAD with GET where the document has no HEAD, and with its HEAD where it has one', () => {
    expect(matcher.match('HEAD', '/persons/42')).toBe(getPerson);
    expect(matcher.match('HEAD', '/persons/me')).toBe(getMe);
    expect(matcher.match('HEAD', '/persons/42/photo')).toBe(headPhoto);
    expect(matcher.match('HEAD', '/persons/42/photos')).toBeUndefined();
  });

  it.each(['PROPFIND', 'CONNECT', 'get', ''])('matches nothing for the method %j', (method) => {
    expect(matcher.match(method, '/persons/42')).toBeUndefined();
  });

  it('keeps the first of two operations with the same method and path shape', () => {
    const renamed = operation('GET', '/persons/{personId}');
    expect(compileOperationMatcher([getPerson, renamed]).match('GET', '/persons/42')).toBe(getPerson);
  });

  it('routes a 200-operation document exactly as the precedence rules say', () => {
    const random = seededRandom(20240601);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const literals = ['persons', 'me', 'ho-so', 'v', 'x', '42'];
    const operations: OpenApiOperation[] = [];
    const shapes = new Set<string>();
    while (operations.length < 200) {
      const segments = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => (random() < 0.4 ? `{p${i}}` : pick(literals)));
      const method = pick(HTTP_METHODS);
      const shape = `${method} /${segments.map((s) => (s.startsWith('{') ? '{}' : s)).join('/')}`;
      if (shapes.has(shape)) continue;
      shapes.add(shape);
      operations.push(operation(method, `/${segments.join('/')}`));
    }
    const compiled = compileOperationMatcher(operations);
    let matched = 0;
    const mismatches: unknown[] = [];
    for (let i = 0; i < 5000; i++) {
      const template = pick(operations).path;
      const path = template.replace(/\{[^}]+\}/g, () => pick([...literals, 'abc', '%C4%90']));
      const method = pick([...HTTP_METHODS, 'PROPFIND']);
      const expected = referenceMatch(operations, method, path);
      if (expected) matched += 1;
      const actual = compiled.match(method, path);
      if (actual !== expected) mismatches.push({ method, path, actual: actual?.key, expected: expected?.key });
    }
    expect(mismatches).toEqual([]);
    expect(matched).toBeGreaterThan(1000);
  });
});

describe('matchedPathParameters', () => {
  it('decodes each parameter of the matched path', () => {
    expect(matchedPathParameters(getPerson, '/persons/%C4%90%E1%BB%97%20V%C4%83n')).toEqual({ id: 'Đỗ Văn' });
    expect(matchedPathParameters(getPhoto, '/persons/a%2Fb/photo')).toEqual({ id: 'a/b' });
    expect(matchedPathParameters(getDocument, '/documents/bao-cao.2024.pdf')).toEqual({ name: 'bao-cao', format: '2024.pdf' });
    expect(matchedPathParameters(listPersons, '/persons')).toEqual({});
  });

  it('keeps a value that is not valid percent-encoding raw, for validation to refuse', () => {
    expect(matchedPathParameters(getPerson, '/persons/%E0%A4%A')).toEqual({ id: '%E0%A4%A' });
  });

  it('keeps a parameter named __proto__ as data', () => {
    const parameters = matchedPathParameters(operation('GET', '/x/{__proto__}'), '/x/1');
    expect(Object.keys(parameters)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parameters)).toBe(Object.prototype);
  });

  it('throws for a path the operation does not match', () => {
    expect(() => matchedPathParameters(getPerson, '/persons/42/photo')).toThrow('/persons/42/photo does not match GET /persons/{id}');
  });
});

/** Brute force over every operation: the lexicographically most concrete template that has the method. */
function referenceMatch(operations: readonly OpenApiOperation[], method: string, path: string): OpenApiOperation | undefined {
  const segments = path.slice(1).split('/');
  const candidates = operations.filter((candidate) => {
    const template = candidate.path.slice(1).split('/');
    return template.length === segments.length && template.every((t, i) => (t.startsWith('{') ? segments[i] !== '' : t === segments[i]));
  });
  const rank = (candidate: OpenApiOperation) => candidate.path.slice(1).split('/').map((t) => (t.startsWith('{') ? '1' : '0')).join('');
  const shape = (candidate: OpenApiOperation) => candidate.path.replace(/\{[^}]+\}/g, '{}');
  const serving = candidates.filter(
    (candidate) =>
      candidate.method === method ||
      (method === 'HEAD' && candidate.method === 'GET' && !candidates.some((c) => c.method === 'HEAD' && shape(c) === shape(candidate))),
  );
  return serving.sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0))[0];
}

/** mulberry32: the same 200 operations on every run, so a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
