import { isSoapWrite, soapActionOf, soapVersionOf } from './soap-request.util';

describe('soapVersionOf', () => {
  it('reads the version from the content type, and takes 1.1 for any other call to a SOAP API', () => {
    expect(soapVersionOf({ 'content-type': 'text/xml; charset=utf-8' }, false)).toBe('1.1');
    expect(soapVersionOf({ 'content-type': ' Application/SOAP+XML;action="urn:x"' }, false)).toBe('1.2');
    expect(soapVersionOf({ 'content-type': 'application/json' }, false)).toBeUndefined();
    expect(soapVersionOf({}, false)).toBeUndefined();
    expect(soapVersionOf({ 'content-type': 'application/json' }, true)).toBe('1.1');
    expect(soapVersionOf({ 'content-type': 'application/soap+xml' }, true)).toBe('1.2');
    expect(soapVersionOf({ 'content-type': 'text/xml-ish' }, false)).toBeUndefined();
  });
});

describe('soapActionOf', () => {
  it("reads SOAP 1.1's SOAPAction header, quoted or not", () => {
    expect(soapActionOf({ 'content-type': 'text/xml', soapaction: '"urn:GetPerson"' })).toBe('urn:GetPerson');
    expect(soapActionOf({ 'content-type': 'text/xml', soapaction: ' urn:GetPerson ' })).toBe('urn:GetPerson');
    expect(soapActionOf({ 'content-type': 'text/xml', soapaction: '""' })).toBe('');
    expect(soapActionOf({ 'content-type': 'text/xml', soapaction: '"' })).toBe('"');
    expect(soapActionOf({ 'content-type': 'text/xml' })).toBeUndefined();
  });

  it("reads SOAP 1.2's action parameter, ignoring any SOAPAction header", () => {
    expect(soapActionOf({ 'content-type': 'application/soap+xml; charset=utf-8; action="urn:a;b"' })).toBe('urn:a;b');
    expect(soapActionOf({ 'content-type': 'application/soap+xml;ACTION=urn:x;charset=utf-8' })).toBe('urn:x');
    expect(soapActionOf({ 'content-type': 'application/soap+xml; action="say \\"hi\\""' })).toBe('say "hi"');
    expect(soapActionOf({ 'content-type': 'application/soap+xml; charset=utf-8', soapaction: '"urn:x"' })).toBeUndefined();
    expect(soapActionOf({ 'content-type': 'application/soap+xml; subaction=urn:x' })).toBeUndefined();
  });
});

describe('isSoapWrite', () => {
  const reads = new Set(['urn:GetPerson']);

  it('makes a POST a read only when its action is a read action of the API', () => {
    expect(isSoapWrite('POST', { 'content-type': 'text/xml', soapaction: '"urn:GetPerson"' }, reads)).toBe(false);
    expect(isSoapWrite('POST', { 'content-type': 'text/xml', soapaction: '"urn:getperson"' }, reads)).toBe(true);
    expect(isSoapWrite('POST', { 'content-type': 'text/xml' }, reads)).toBe(true);
    expect(isSoapWrite('POST', { 'content-type': 'text/xml', soapaction: '"urn:GetPerson"' }, new Set())).toBe(true);
    expect(isSoapWrite('POST', { 'content-type': 'application/soap+xml; action=urn:GetPerson' }, reads)).toBe(false);
  });

  it('keeps the HTTP meaning of other methods', () => {
    expect(isSoapWrite('GET', {}, reads)).toBe(false);
    expect(isSoapWrite('HEAD', {}, reads)).toBe(false);
    expect(isSoapWrite('PUT', { soapaction: '"urn:GetPerson"' }, reads)).toBe(true);
  });
});
