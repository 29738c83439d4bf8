import { randomUUID } from 'node:crypto';

import { ErrorCode } from '@lgsp/contracts';
import fc from 'fast-check';
import { Client } from 'undici';
import type { Dispatcher } from 'undici';

import type { TestGateway } from './test-gateway.util';
import { startTestGateway, testVersion } from './test-gateway.util';
import { parseSoapFault } from './xml.util';

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));
const BODY_LIMIT = 2048;

/** Bytes a request line may not carry raw become %XX; the rest stays as generated (stray `%`, `%zz` and all). */
function wire(text: string, rawLatin1: boolean): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code >= 0x21 && code <= 0x7e) out += char;
    else if (rawLatin1 && code >= 0x80 && code <= 0xff) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Header values as a client can send them: no CR, LF or NUL, nothing beyond Latin-1. */
const headerValue = fc.string({ unit: 'binary', maxLength: 300 }).map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?'));

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('organisations', 'echo', 'items', '42', 'slow', 'problem', 'Service.asmx') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('..', '.', '%2e%2e', '%2E.', '%2F', '%2f..', '%5C', '\\', '', '%00', '%', '%zz', '%E1%BA', '~', '*', ';x=1', '@', '?wsdl', '#frag'),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

const path = fc
  .record({
    prefix: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('/v1/directory', '/v1/ho-tich', '/v1/down') },
      { weight: 2, arbitrary: fc.constantFrom('', '/v2/directory', '/V1/directory', '/v1', '/v0/x', '/v99999/directory', '/health', '/metrics', '/.well-known', '//v1/directory') },
    ),
    segments: fc.array(segment, { maxLength: 5 }),
    long: fc.option(fc.integer({ min: 1000, max: 8000 }), { freq: 8 }),
    query: fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { freq: 3 }),
    rawLatin1: fc.boolean(),
  })
  .map(({ prefix, segments, long, query, rawLatin1 }) => {
    let p = prefix + segments.map((s) => '/' + wire(s, rawLatin1)).join('');
    if (long !== null) p += '/' + '%E1%BA%A3'.repeat(Math.ceil(long / 9));
    if (query !== null) p += '?' + wire(query, rawLatin1);
    return p.startsWith('/') ? p : '/' + p;
  });

const method = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') }, { weight: 1, arbitrary: fc.constantFrom('HEAD', 'PATCH', 'OPTIONS', 'PROPFIND', 'M-SEARCH') });

/** Mostly what a real consumer sends (so requests get deep into the chain), sometimes garbage, sometimes nothing. */
function mostly<T>(valid: fc.Arbitrary<T>, ...garbage: fc.Arbitrary<T>[]): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: fc.constant(undefined) }, ...garbage.map((arbitrary) => ({ weight: 1, arbitrary })));
}

function headersOf(token: string) {
  const [header, payload, signature] = token.split('.');
  return fc
    .record({
      authorization: mostly(
        fc.constant(`Bearer ${token}`),
        fc.constantFrom(
          `bearer ${token}`,
          `Bearer ${header}.${payload}.${signature.slice(0, -2)}AA`,
          `Bearer ${header}.${payload}`,
          'Bearer ',
          `Bearer ${token}, Bearer ${token}`,
          'Basic ZGVtbzpzZWNyZXQ=',
        ),
        headerValue.map((v) => `Bearer ${v}`),
        headerValue,
      ),
      'x-request-id': mostly(
        fc.constant('').map(() => randomUUID()),
        fc.constant('').map(() => randomUUID().toUpperCase()),
        fc.constantFrom('01900000-0000-7000-8000-000000000000', `${randomUUID()} `),
        fc.uuid(),
        headerValue,
      ),
      'content-type': mostly(
        fc.constantFrom(
          'application/json',
          'text/xml; charset=utf-8',
          'application/soap+xml; charset=utf-8; action="urn:GetPerson"',
        ),
        fc.constantFrom(
          'text/xml',
          'application/soap+xml; action=',
          'application/soap+xml; action="unterminated',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded',
          ';;;',
        ),
        headerValue,
      ),
      soapaction: fc.option(fc.oneof(fc.constantFrom('"urn:GetPerson"', '"urn:UpdatePerson"', '""', '"'), headerValue), { freq: 2 }),
      extra: fc.dictionary(fc.constantFrom('x-forwarded-for', 'traceparent', 'x-signature', 'x-signature-input', 'signature', 'content-digest', 'accept', 'x-lgsp-transaction-id', 'forwarded', 'cookie'), headerValue, { maxKeys: 4 }),
    })
    .map(({ extra, ...headers }) => Object.fromEntries(Object.entries({ ...extra, ...headers }).filter(([, v]) => v !== undefined && v !== null)) as Record<string, string>);
}

const body = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ maxLength: BODY_LIMIT * 2 }).map((bytes) => Buffer.from(bytes)),
  fc.json({ maxDepth: 4 }).map((json) => Buffer.from(json)),
  fc.string({ unit: 'grapheme', maxLength: 200 }).map((text) => Buffer.from(`<?xml version="1.0"?><s:Envelope xmlns:s="urn:x"><s:Body>${text}</s:Body></s:Envelope>`)),
);

const PLATFORM_ROUTES = /^\/(?:health\/(?:live|ready)|metrics|\.well-known\/[\w.-]+)(?:\?|$)/;

/**
 * Random paths, methods, headers and bodies at a real gateway: every answer is well formed —
 * problem+json with a contract code, a SOAP Fault, the provider's own answer, or a platform route —
 * never a 500, never a dropped connection, and the gateway keeps answering afterwards.
 */
describe('the data plane under random requests', () => {
  let gateway: TestGateway;
  let client: Client;

  beforeAll(async () => {
    gateway = await startTestGateway(
      (upstream) => [
        testVersion('directory', upstream, {
          openapi: {
            openapi: '3.0.3',
            info: { title: 'directory', version: '1' },
            paths: {
              '/organisations': { get: { responses: { '200': { description: 'ok' } } } },
              '/items/{id}': { get: { responses: { '200': { description: 'ok' } } }, delete: { responses: { '204': { description: 'gone' } } } },
              '/echo': { post: { responses: { '201': { description: 'echoed' } } }, put: { responses: { '201': { description: 'echoed' } } } },
              '/problem': { get: { responses: { '404': { description: 'none' } } } },
            },
          },
        }),
        testVersion('ho-tich', `${upstream}/soap`, { kind: 'soap', soapReadActions: ['urn:GetPerson'] }),
        testVersion('down', 'http://127.0.0.1:9', { kind: 'soap' }),
      ],
      { LGSP_MAX_BODY_BYTES: String(BODY_LIMIT), LGSP_UPSTREAM_CONNECT_TIMEOUT_MS: '200' },
    );
    client = new Client(gateway.base, { pipelining: 0 });
  });

  afterAll(async () => {
    await client.close();
    await gateway.close();
  });

  async function send(request: { path: string; method: string; headers: Record<string, string>; body?: Buffer }): Promise<Dispatcher.ResponseData & { bytes: Buffer }> {
    const res = await client.request({ path: request.path, method: request.method as Dispatcher.HttpMethod, headers: request.headers, body: request.body });
    return Object.assign(res, { bytes: Buffer.from(await res.body.arrayBuffer()) });
  }

  function checkRefusal(res: Dispatcher.ResponseData & { bytes: Buffer }, method: string): void {
    const contentType = String(res.headers['content-type'] ?? '');
    const transactionId = res.headers['x-lgsp-transaction-id'];
    if (contentType.startsWith('application/problem+json')) {
      if (method === 'HEAD') return;
      const problem = JSON.parse(res.bytes.toString('utf8')) as Record<string, unknown>;
      expect(CODES.has(problem['code'] as string)).toBe(true);
      expect(problem['status']).toBe(res.statusCode);
      if (transactionId !== undefined) expect(problem['transactionId']).toBe(transactionId);
      return;
    }
    expect(contentType).toMatch(/^(?:text\/xml|application\/soap\+xml); charset=utf-8$/);
    if (method === 'HEAD') return;
    const fault = parseSoapFault(res.bytes.toString('utf8'));
    expect(CODES.has(fault.problem['code'])).toBe(true);
    expect(fault.problem['status']).toBe(String(res.statusCode));
    expect(fault.problem['transactionId']).toBe(transactionId);
  }

  it('answers every request well formed, never 500, and keeps answering', async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ path, method, headers: headersOf(gateway.token), body }), async (request) => {
        const seenBefore = gateway.upstream.seen.length;
        const res = await send(request);
        expect(res.statusCode).not.toBe(500);
        expect(res.statusCode < 500 || [502, 503, 504].includes(res.statusCode)).toBe(true);
        // The provider's own answer, passed through: not the gateway's to judge.
        if (gateway.upstream.seen.length > seenBefore && res.headers['x-lgsp-transaction-id'] !== undefined && res.statusCode < 500) return;
        if (res.statusCode < 400 && PLATFORM_ROUTES.test(request.path)) return;
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        checkRefusal(res, request.method);
      }),
      // LGSP_FUZZ_RUNS for a deeper run, LGSP_FUZZ_SEED to replay the seed a failure printed.
      { numRuns: Number(process.env['LGSP_FUZZ_RUNS'] ?? 300), ...(process.env['LGSP_FUZZ_SEED'] !== undefined && { seed: Number(process.env['LGSP_FUZZ_SEED']) }) },
    );
    const after = await send({ path: '/v1/directory/organisations', method: 'GET', headers: { authorization: `Bearer ${gateway.token}`, 'x-request-id': randomUUID() } });
    // A deep run (LGSP_FUZZ_RUNS) may have spent the consumer's read budget by now.
    if (after.statusCode === 429) checkRefusal(after, 'GET');
    else expect(after.statusCode).toBe(200);
    expect(gateway.logs.filter((line) => line.includes('unhandled error'))).toEqual([]);
  }, 120_000);
});
