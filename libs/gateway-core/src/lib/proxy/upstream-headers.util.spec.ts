import { downstreamResponseHeaders, upstreamRequestHeaders } from './upstream-headers.util';

describe('upstreamRequestHeaders', () => {
  const facts = { requestId: 'rid', transactionId: 'tid', clientIp: '10.0.0.9', proto: 'https', host: 'api.lgsp.example', traceparent: 'tp' };

  it("never forwards the consumer's credentials, cookies or hop-by-hop fields", () => {
    const out = upstreamRequestHeaders(
      {
        authorization: 'Bearer canary-token',
        cookie: 'sid=canary',
        connection: 'keep-alive',
        'transfer-encoding': 'chunked',
        'proxy-authorization': 'Basic x',
        host: 'api.lgsp.example',
        'content-length': '5',
        'x-lgsp-consumer': 'forged',
        'x-lgsp-transaction-id': 'forged',
        accept: 'application/json',
        'content-type': 'application/json',
      },
      facts,
    );
    expect(out).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      'x-request-id': 'rid',
      'x-lgsp-transaction-id': 'tid',
      traceparent: 'tp',
      'x-forwarded-for': '10.0.0.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'api.lgsp.example',
    });
  });

  it('appends the client to an existing X-Forwarded-For chain', () => {
    expect(upstreamRequestHeaders({ 'x-forwarded-for': '192.0.2.1' }, facts)['x-forwarded-for']).toBe('192.0.2.1, 10.0.0.9');
  });
});

describe('downstreamResponseHeaders', () => {
  it("drops hop-by-hop fields and the provider's own copies of the platform ids", () => {
    expect(downstreamResponseHeaders({ connection: 'close', 'x-request-id': 'p', 'x-lgsp-transaction-id': 'p', etag: '"3"', 'content-type': 'application/json' })).toEqual({
      etag: '"3"',
      'content-type': 'application/json',
    });
  });
});
