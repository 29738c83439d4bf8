import { downstreamResponseHeaders, upstreamRequestHeaders } from './upstream-headers.util';

describe('upstreamRequestHeaders', () => {
  const facts = {
    requestId: 'rid',
    transactionId: 'tid',
    clientIp: '10.0.0.9',
    proto: 'https',
    host: 'api.lgsp.example',
    traceparent: 'tp',
    consumerId: 'tu-ha-noi.qlcb',
    assertion: 'signed.jwt.here',
  };

  it("never forwards the consumer's credentials, cookies, hop-by-hop fields or copies of the platform's fields", () => {
    const out = upstreamRequestHeaders(
      {
        authorization: 'Bearer canary-token',
        cookie: 'sid=canary',
        connection: 'keep-alive, x-hop-secret',
        'x-hop-secret': 'canary-hop',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        trailer: 'x-checksum',
        'transfer-encoding': 'chunked',
        upgrade: 'h2c',
        expect: '100-continue',
        'proxy-authorization': 'Basic x',
        'proxy-connection': 'keep-alive',
        'proxy-anything': 'x',
        host: 'api.lgsp.example',
        'content-length': '5',
        'x-lgsp-consumer': 'forged',
        'x-lgsp-transaction-id': 'forged',
        'x-lgsp-assertion': 'forged',
        'x-lgsp-anything': 'forged',
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
      'x-lgsp-consumer': 'tu-ha-noi.qlcb',
      'x-lgsp-assertion': 'signed.jwt.here',
      traceparent: 'tp',
      'x-forwarded-for': '10.0.0.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'api.lgsp.example',
    });
  });

  it('reads the fields Connection names case-insensitively, across repeated Connection fields', () => {
    const out = upstreamRequestHeaders({ connection: ['Keep-Alive , X-One', 'x-two'], 'x-one': '1', 'x-two': '2', 'x-three': '3' } as never, facts);
    expect(out['x-one']).toBeUndefined();
    expect(out['x-two']).toBeUndefined();
    expect(out['x-three']).toBe('3');
  });

  it('sends no assertion when none is given, and replaces a client-sent X-Forwarded-For with the resolved client', () => {
    const out = upstreamRequestHeaders({ 'x-forwarded-for': '192.0.2.1' }, { ...facts, assertion: undefined });
    // The client-supplied chain is not passed on: only the client the gateway resolved.
    expect(out['x-forwarded-for']).toBe('10.0.0.9');
    expect(out).not.toHaveProperty('x-lgsp-assertion');
  });
});

describe('downstreamResponseHeaders', () => {
  it("drops hop-by-hop fields, those Connection names, and the provider's own copies of the platform ids and limits", () => {
    expect(
      downstreamResponseHeaders({
        connection: 'keep-alive, X-Internal-Route',
        'x-internal-route': 'canary',
        'keep-alive': 'timeout=5',
        'proxy-authenticate': 'Basic',
        te: 'trailers',
        trailer: 'x-checksum',
        'transfer-encoding': 'chunked',
        upgrade: 'h2c',
        'x-request-id': 'p',
        'x-lgsp-transaction-id': 'p',
        ratelimit: 'p',
        'ratelimit-policy': 'p',
        etag: '"3"',
        'content-type': 'application/json',
      }),
    ).toEqual({ etag: '"3"', 'content-type': 'application/json' });
  });
});
