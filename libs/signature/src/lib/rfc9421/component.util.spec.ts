import fc from 'fast-check';

import { testRequest } from '../../../test/rfc9421-examples';
import { type ComponentId, componentId, componentValue, encodeQueryPart, serializeComponentId } from './component.util';
import type { HttpMessage } from './http-message.type';
import { requestMessage, responseMessage } from './http-message.util';
import { SignatureBaseError, SignatureSyntaxError } from './signature.error';

function line(message: HttpMessage, component: string): string {
  const id = componentId(component);
  return `${serializeComponentId(id)}: ${componentValue(message, id)}`;
}

function failure(message: HttpMessage, component: string | ComponentId): SignatureBaseError {
  try {
    componentValue(message, componentId(component));
  } catch (error) {
    if (error instanceof SignatureBaseError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(component)} did not fail`);
}

describe('component identifiers', () => {
  it.each([
    ['content-digest', { name: 'content-digest' }, '"content-digest"'],
    ['"@query-param";name="Pet"', { name: '@query-param', params: { name: 'Pet' } }, '"@query-param";name="Pet"'],
    ['@query-param;name="Pet"', { name: '@query-param', params: { name: 'Pet' } }, '"@query-param";name="Pet"'],
    ['"signature";req;key="sig1"', { name: 'signature', params: { req: true, key: 'sig1' } }, '"signature";req;key="sig1"'],
  ])('reads %s', (input, expected, serialized) => {
    expect(componentId(input)).toEqual(expected);
    expect(serializeComponentId(componentId(input))).toBe(serialized);
  });

  it.each(['"unterminated', '"@method";x=:AAA=:', '"a" "b"'])('refuses %s', (input) => {
    expect(() => componentId(input)).toThrow(SignatureSyntaxError);
  });
});

describe('HTTP fields (RFC 9421 §2.1)', () => {
  const message = requestMessage({
    method: 'GET',
    url: 'https://www.example.com/',
    headers: {
      Host: 'www.example.com',
      Date: 'Tue, 20 Apr 2021 02:07:56 GMT',
      'X-OWS-Header': '   Leading and trailing whitespace.   ',
      'X-Obs-Fold-Header': 'Obsolete\r\n    line folding.',
      'Cache-Control': ['max-age=60', '   must-revalidate'],
      'Example-Dict': ' a=1,    b=2;x=1;y=2,   c=(a   b   c)',
      'X-Empty-Header': '',
      'Example-Header': ['value, with, lots', 'of, commas'],
    },
  });

  it.each([
    ['host', '"host": www.example.com'],
    ['date', '"date": Tue, 20 Apr 2021 02:07:56 GMT'],
    ['x-ows-header', '"x-ows-header": Leading and trailing whitespace.'],
    ['x-obs-fold-header', '"x-obs-fold-header": Obsolete line folding.'],
    ['cache-control', '"cache-control": max-age=60, must-revalidate'],
    ['example-dict', '"example-dict": a=1,    b=2;x=1;y=2,   c=(a   b   c)'],
    ['x-empty-header', '"x-empty-header": '],
  ])('%s', (component, expected) => {
    expect(line(message, component)).toBe(expected);
  });

  it('re-serialises a structured field with ;sf (§2.1.1)', () => {
    expect(line(message, '"example-dict";sf')).toBe('"example-dict";sf: a=1, b=2;x=1;y=2, c=(a b c)');
  });

  it('takes one dictionary member with ;key (§2.1.2)', () => {
    const dict = requestMessage({ method: 'GET', url: 'https://example.com/', headers: { 'Example-Dict': ' a=1, b=2;x=1;y=2, c=(a   b    c), d' } });
    expect(line(dict, '"example-dict";key="a"')).toBe('"example-dict";key="a": 1');
    expect(line(dict, '"example-dict";key="d"')).toBe('"example-dict";key="d": ?1');
    expect(line(dict, '"example-dict";key="b"')).toBe('"example-dict";key="b": 2;x=1;y=2');
    expect(line(dict, '"example-dict";key="c"')).toBe('"example-dict";key="c": (a b c)');
  });

  it('wraps each field line as a byte sequence with ;bs (§2.1.3)', () => {
    expect(line(message, 'example-header')).toBe('"example-header": value, with, lots, of, commas');
    expect(line(message, '"example-header";bs')).toBe('"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:');
    const combined = requestMessage({ method: 'GET', url: 'https://example.com/', headers: { 'Example-Header': 'value, with, lots, of, commas' } });
    expect(line(combined, '"example-header";bs')).toBe('"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHMsIG9mLCBjb21tYXM=:');
  });

  it('knows the structured type of the fields it signs', () => {
    const signed = requestMessage({ method: 'GET', url: 'https://example.com/', headers: { 'Content-Digest': 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:,   sha-512=:AA==:' } });
    expect(line(signed, '"content-digest";sf')).toBe('"content-digest";sf: sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:AA==:');
  });

  it.each([
    ['a field the message lacks', 'x-absent', 'missing', /has no x-absent field/],
    ['a dictionary member it lacks', '"example-dict";key="z"', 'missing', /has no member z/],
    ['a key of a field that is no dictionary', '"date";key="a"', 'invalid', /not a structured dictionary/],
    [';sf on a field that is not structured', '"date";sf', 'invalid', /not a structured field/],
    ['an upper-case field name', '"Host"', 'invalid', /lower-case token/],
    ['a trailer', '"expires";tr', 'invalid', /trailer fields/],
    ['bs with sf', '"example-dict";bs;sf', 'invalid', /bs cannot be combined/],
    ['an unknown parameter', '"host";name="x"', 'invalid', /parameter name does not apply/],
    [';req on a request', '"host";req', 'invalid', /req only applies to a response/],
  ])('refuses %s', (_case, component, kind, detail) => {
    const error = failure(message, component);
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(detail);
  });

  it('refuses ;bs when the message keeps only combined values', () => {
    const combinedOnly = requestMessage({ method: 'GET', url: 'https://example.com/', headers: (name) => (name === 'x-a' ? 'b' : undefined) });
    expect(failure(combinedOnly, '"x-a";bs').message).toMatch(/needs the separate field lines/);
  });

  it('refuses a value that is not printable ASCII, so no value can start a line of the base', () => {
    const odd = requestMessage({ method: 'GET', url: 'https://example.com/', headers: { 'x-name': 'Nguyễn', 'x-line': 'a\nb' } });
    expect(failure(odd, 'x-name').message).toMatch(/printable ASCII/);
    expect(failure(odd, 'x-line').message).toMatch(/printable ASCII/);
    expect(line(odd, '"x-name";bs')).toBe(`"x-name";bs: :${Buffer.from('Nguyễn', 'latin1').toString('base64')}:`);
  });

  it('reads fetch Headers and lookup functions alike', () => {
    const fetchHeaders = requestMessage({ method: 'GET', url: 'https://example.com/', headers: new Headers([['Cache-Control', 'max-age=60'], ['Cache-Control', 'must-revalidate']]) });
    expect(line(fetchHeaders, 'cache-control')).toBe('"cache-control": max-age=60, must-revalidate');
    const lookup = requestMessage({ method: 'GET', url: 'https://example.com/', headers: (name) => ({ 'cache-control': ' max-age=60 ' })[name] });
    expect(line(lookup, 'cache-control')).toBe('"cache-control": max-age=60');
    expect(failure(lookup, 'date')).toMatchObject({ kind: 'missing' });
  });
});

describe('derived components (RFC 9421 §2.2)', () => {
  const request = requestMessage({ method: 'POST', url: 'https://www.example.com/path?param=value', headers: { Host: 'www.example.com' } });

  it.each([
    ['@method', '"@method": POST'],
    ['@target-uri', '"@target-uri": https://www.example.com/path?param=value'],
    ['@authority', '"@authority": www.example.com'],
    ['@scheme', '"@scheme": https'],
    ['@request-target', '"@request-target": /path?param=value'],
    ['@path', '"@path": /path'],
    ['@query', '"@query": ?param=value'],
  ])('%s', (component, expected) => {
    expect(line(request, component)).toBe(expected);
  });

  it.each([
    ['https://www.example.com/path?queryString', '"@query": ?queryString'],
    ['https://www.example.com/path?param=value&foo=bar&baz=bat%2Dman', '"@query": ?param=value&foo=bar&baz=bat%2Dman'],
    ['https://www.example.com/path', '"@query": ?'],
  ])('@query of %s', (url, expected) => {
    expect(line(requestMessage({ method: 'GET', url, headers: {} }), '@query')).toBe(expected);
  });

  it('keeps the target URI, path and query as sent, and normalises the authority', () => {
    const raw = requestMessage({ method: 'get', url: "HTTPS://WWW.Example.COM:443/a%2fb/c'd?q='x' y#fragment", headers: {} });
    expect(line(raw, '@method')).toBe('"@method": get');
    expect(line(raw, '@target-uri')).toBe(`"@target-uri": HTTPS://WWW.Example.COM:443/a%2fb/c'd?q='x' y`);
    expect(line(raw, '@authority')).toBe('"@authority": www.example.com');
    expect(line(raw, '@scheme')).toBe('"@scheme": https');
    expect(line(raw, '@path')).toBe(`"@path": /a%2fb/c'd`);
    expect(line(raw, '@query')).toBe(`"@query": ?q='x' y`);
    expect(line(requestMessage({ method: 'GET', url: 'http://example.com:8080', headers: {} }), '@authority')).toBe('"@authority": example.com:8080');
    expect(line(requestMessage({ method: 'GET', url: 'http://example.com:8080', headers: {} }), '@path')).toBe('"@path": /');
  });

  it('@query-param decodes and re-encodes names and values (§2.2.8)', () => {
    const params = requestMessage({ method: 'POST', url: 'https://www.example.com/path?param=value&foo=bar&baz=batman&qux=', headers: {} });
    expect(line(params, '"@query-param";name="baz"')).toBe('"@query-param";name="baz": batman');
    expect(line(params, '"@query-param";name="qux"')).toBe('"@query-param";name="qux": ');
    expect(line(params, '"@query-param";name="param"')).toBe('"@query-param";name="param": value');

    const encoded = requestMessage({
      method: 'GET',
      url: 'https://www.example.com/parameters?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something',
      headers: {},
    });
    expect(line(encoded, '"@query-param";name="var"')).toBe('"@query-param";name="var": this%20is%20a%20big%0Amultiline%20value');
    expect(line(encoded, '"@query-param";name="bar"')).toBe('"@query-param";name="bar": with%20plus%20whitespace');
    expect(line(encoded, '"@query-param";name="fa%C3%A7ade%22%3A%20"')).toBe('"@query-param";name="fa%C3%A7ade%22%3A%20": something');
  });

  it('@query-param refuses a missing, unnamed or repeated parameter', () => {
    const params = requestMessage({ method: 'GET', url: 'https://example.com/?a=1&a=2&b=3', headers: {} });
    expect(failure(params, '"@query-param";name="c"')).toMatchObject({ kind: 'missing' });
    expect(failure(params, '"@query-param"').message).toMatch(/needs a name/);
    expect(failure(params, '"@query-param";name="a"').message).toMatch(/occurs more than once/);
  });

  it('encodeQueryPart leaves only the URL standard form-urlencoded safe set', () => {
    expect(encodeQueryPart("AZaz09*-._ ~!'()+/é")).toBe('AZaz09*-._%20%7E%21%27%28%29%2B%2F%C3%A9');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        const encoded = encodeQueryPart(text);
        expect(encoded).toMatch(/^[A-Za-z0-9*\-._%]*$/);
        expect(new URLSearchParams(`x=${encoded}`).get('x')).toBe(text);
      }),
    );
  });

  it('@status on a response; request components on a response only with ;req (§2.4)', () => {
    const response = responseMessage({ status: 200, headers: {} }, testRequest());
    expect(line(response, '@status')).toBe('"@status": 200');
    expect(line(response, '"@authority";req')).toBe('"@authority";req: example.com');
    expect(line(response, '"@method";req')).toBe('"@method";req: POST');
    expect(line(response, '"content-type";req')).toBe('"content-type";req: application/json');
    expect(failure(response, '@method').message).toMatch(/cover it on a response with ;req/);
    expect(failure(responseMessage({ status: 200, headers: {} }), '"@method";req')).toMatchObject({ kind: 'missing' });
    expect(failure(request, '@status').message).toMatch(/only applies to a response/);
    expect(failure(responseMessage({ status: 42, headers: {} }), '@status').message).toMatch(/three-digit/);
  });

  it.each([
    ['an unknown derived component', '@fragment', /not a derived component/],
    ['@signature-params', '@signature-params', /not a derived component/],
    ['a parameter that does not apply', '"@method";name="x"', /parameter name does not apply/],
    [';sf on a derived component', '"@path";sf', /parameter sf does not apply/],
  ])('refuses %s', (_case, component, detail) => {
    expect(failure(request, component)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(detail) });
  });
});
