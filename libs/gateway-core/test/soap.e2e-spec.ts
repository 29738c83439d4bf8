import { randomUUID } from 'node:crypto';

import { closedPort } from '@lgsp/testing';

import type { TestGateway } from './test-gateway.util';
import { startTestGateway, testVersion } from './test-gateway.util';
import { parseSoapFault, parseXml } from './xml.util';

const READ_ACTION = 'urn:GetPerson';
const WRITE_ACTION = 'urn:UpdatePerson';

/** A SOAP body that any re-encoding or normalisation would change: BOM, CRLF, Vietnamese, trailing blanks. */
function envelope(namespace: string, operation: string): Buffer {
  return Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(
      `<?xml version="1.0" encoding="utf-8"?>\r\n<s:Envelope xmlns:s="${namespace}">\r\n  <s:Body><${operation} xmlns="urn:ho-tich">` +
        '<hoTen>Nguyễn Văn Ả &amp; Trần Thị Ỹ</hoTen></' +
        `${operation}></s:Body>\r\n</s:Envelope>  \r\n`,
      'utf8',
    ),
  ]);
}

const SOAP11 = { contentType: 'text/xml; charset=utf-8', namespace: 'http://schemas.xmlsoap.org/soap/envelope/', faultType: 'text/xml; charset=utf-8' };
const SOAP12 = { contentType: 'application/soap+xml; charset=utf-8', namespace: 'http://www.w3.org/2003/05/soap-envelope', faultType: 'application/soap+xml; charset=utf-8' };

describe('SOAP through the gateway', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    gateway = await startTestGateway((upstream) => [
      testVersion('ho-tich', `${upstream}/soap`, { kind: 'soap', soapReadActions: [READ_ACTION] }),
      testVersion('ho-tich-down', down, { kind: 'soap', soapReadActions: [READ_ACTION] }),
      testVersion('directory', upstream, {
        openapi: { openapi: '3.0.3', info: { title: 'd', version: '1' }, paths: { '/records': { get: { responses: { '200': { description: 'ok' } } } } } },
      }),
    ]);
  });

  afterAll(() => gateway.close());

  it('proxies a SOAP 1.1 call byte for byte, SOAPAction included', async () => {
    const body = envelope(SOAP11.namespace, 'UpdatePerson');
    const res = await gateway.call('/v1/ho-tich/echo', {
      method: 'POST',
      headers: { 'x-request-id': randomUUID(), 'content-type': SOAP11.contentType, soapaction: `"${WRITE_ACTION}"` },
      body,
    });
    expect(res.status).toBe(201);
    expect(res.body.equals(body)).toBe(true);
    expect(res.headers['content-type']).toBe(SOAP11.contentType);
    const seen = gateway.upstream.seen.at(-1)!;
    expect(seen.url).toBe('/soap/echo');
    expect(seen.body.equals(body)).toBe(true);
    expect(seen.headers.soapaction).toBe(`"${WRITE_ACTION}"`);
    expect(seen.headers['content-type']).toBe(SOAP11.contentType);
  });

  it('proxies a SOAP 1.2 call byte for byte, its action parameter included', async () => {
    const body = envelope(SOAP12.namespace, 'GetPerson');
    const contentType = `${SOAP12.contentType}; action="${READ_ACTION}"`;
    const res = await gateway.call('/v1/ho-tich/echo', { method: 'POST', headers: { 'x-request-id': randomUUID(), 'content-type': contentType }, body });
    expect(res.status).toBe(201);
    expect(res.body.equals(body)).toBe(true);
    const seen = gateway.upstream.seen.at(-1)!;
    expect(seen.body.equals(body)).toBe(true);
    expect(seen.headers['content-type']).toBe(contentType);
  });

  describe.each([
    ['1.1', SOAP11, 'soap:Client', 'soap:Server'],
    ['1.2', SOAP12, 'env:Sender', 'env:Receiver'],
  ] as const)('SOAP %s refusals', (version, soap, clientFault, serverFault) => {
    const post = (path: string, headers: Record<string, string | undefined>) =>
      gateway.call(path, { method: 'POST', headers: { 'content-type': soap.contentType, soapaction: `"${WRITE_ACTION}"`, ...headers }, body: envelope(soap.namespace, 'UpdatePerson') });

    it('answers a missing X-Request-ID with a Fault carrying 400 request_id_invalid and the transaction id', async () => {
      const before = gateway.upstream.seen.length;
      const res = await post('/v1/ho-tich/echo', {});
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe(soap.faultType);
      const fault = parseSoapFault(res.text);
      expect(fault).toMatchObject({ version, faultCode: clientFault, reason: expect.stringMatching(/X-Request-ID/) });
      expect(fault.problem).toMatchObject({ code: 'request_id_invalid', status: '400', transactionId: res.headers['x-lgsp-transaction-id'] });
      expect(fault.problem.requestId).toBeUndefined();
      expect(gateway.upstream.seen.length).toBe(before);
      const record = (await gateway.records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id']);
      expect(record).toMatchObject({ status: 400, errorCode: 'request_id_invalid' });
    });

    it('answers an invalid token with a Fault carrying 401 invalid_token and both ids', async () => {
      const requestId = randomUUID();
      const res = await post('/v1/ho-tich/echo', { 'x-request-id': requestId, authorization: 'Bearer not.a.token' });
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe(soap.faultType);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      const fault = parseSoapFault(res.text);
      expect(fault).toMatchObject({ version, faultCode: clientFault });
      expect(fault.problem).toMatchObject({ code: 'invalid_token', status: '401', requestId, transactionId: res.headers['x-lgsp-transaction-id'] });
    });

    it('answers an unknown API, even a REST one, with a Fault when the call is SOAP', async () => {
      const res = await post('/v1/nowhere/echo', { 'x-request-id': randomUUID() });
      expect(res.status).toBe(404);
      expect(parseSoapFault(res.text)).toMatchObject({ version, faultCode: clientFault, problem: { code: 'not_found' } });
    });

    it("answers an unreachable provider with the server's Fault and 502 upstream_unavailable", async () => {
      const requestId = randomUUID();
      const res = await post('/v1/ho-tich-down/Service.asmx', { 'x-request-id': requestId });
      expect(res.status).toBe(502);
      expect(parseSoapFault(res.text)).toMatchObject({ version, faultCode: serverFault, problem: { code: 'upstream_unavailable', status: '502', requestId } });
    });
  });

  it('answers any refusal of a routed call to a SOAP API as a SOAP 1.1 Fault, whatever its content type', async () => {
    const res = await gateway.call('/v1/ho-tich-down/Service.asmx?wsdl', { headers: { 'x-request-id': randomUUID() } });
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toBe(SOAP11.faultType);
    expect(parseSoapFault(res.text)).toMatchObject({ version: '1.1', faultCode: 'soap:Server', problem: { code: 'upstream_unavailable' } });
  });

  it('keeps problem+json for REST calls, and does not reveal to an unauthenticated caller which APIs are SOAP', async () => {
    const rest = await gateway.call('/v1/directory/nothing-here', { headers: { 'x-request-id': randomUUID() } });
    expect(rest.status).toBe(404);
    expect(rest.headers['content-type']).toMatch(/^application\/problem\+json/);
    const anonymous = await gateway.call('/v1/ho-tich/echo', { method: 'POST', headers: { 'x-request-id': randomUUID(), authorization: undefined, 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('writes well-formed XML whatever the request carried', async () => {
    const res = await gateway.call('/v1/nowhere/a', { method: 'POST', headers: { 'x-request-id': randomUUID(), 'content-type': 'text/xml', authorization: 'Bearer <&">' }, body: '<x/>' });
    expect(() => parseXml(res.text)).not.toThrow();
    expect(parseSoapFault(res.text).problem.code).toBe('invalid_token');
  });

  describe('read or write: the throttle budget a SOAP call spends', () => {
    async function budgetOf(headers: Record<string, string>, method = 'POST'): Promise<string> {
      const res = await gateway.call('/v1/ho-tich/echo', { method, headers: { 'x-request-id': randomUUID(), ...headers }, body: method === 'POST' ? '<x/>' : undefined });
      expect(res.status).toBeLessThan(300);
      return String(res.headers['ratelimit']).split(';')[0];
    }

    it('counts a SOAP 1.1 call as a read only when its SOAPAction is a read action of the API', async () => {
      expect(await budgetOf({ 'content-type': SOAP11.contentType, soapaction: `"${READ_ACTION}"` })).toBe('"read"');
      expect(await budgetOf({ 'content-type': SOAP11.contentType, soapaction: READ_ACTION })).toBe('"read"');
      expect(await budgetOf({ 'content-type': SOAP11.contentType, soapaction: `"${WRITE_ACTION}"` })).toBe('"write"');
      expect(await budgetOf({ 'content-type': SOAP11.contentType, soapaction: '""' })).toBe('"write"');
      expect(await budgetOf({ 'content-type': SOAP11.contentType })).toBe('"write"');
    });

    it("counts a SOAP 1.2 call by its content type's action parameter", async () => {
      expect(await budgetOf({ 'content-type': `${SOAP12.contentType}; action="${READ_ACTION}"` })).toBe('"read"');
      expect(await budgetOf({ 'content-type': `application/soap+xml;action=${READ_ACTION};charset=utf-8` })).toBe('"read"');
      expect(await budgetOf({ 'content-type': `${SOAP12.contentType}; action="${WRITE_ACTION}"` })).toBe('"write"');
      // SOAP 1.2 names its action in the content type; a stray SOAPAction header does not count.
      expect(await budgetOf({ 'content-type': SOAP12.contentType, soapaction: `"${READ_ACTION}"` })).toBe('"write"');
    });

    it('spends the read budget once per read action call', async () => {
      const read = async () => {
        const res = await gateway.call('/v1/ho-tich/echo', { method: 'POST', headers: { 'x-request-id': randomUUID(), 'content-type': SOAP11.contentType, soapaction: READ_ACTION }, body: '<x/>' });
        return Number(/r=(\d+)/.exec(String(res.headers['ratelimit']))?.[1]);
      };
      const first = await read();
      expect(await read()).toBe(first - 1);
    });

    it('keeps HTTP reads (a WSDL fetch) as reads', async () => {
      expect(await budgetOf({}, 'GET')).toBe('"read"');
    });
  });
});
