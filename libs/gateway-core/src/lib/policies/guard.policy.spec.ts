import { EventEmitter } from 'node:events';

import { parseAddressList } from '@lgsp/config';
import { ErrorCode, LgspError } from '@lgsp/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { GatewayContext } from '../chain/gateway-context.type';
import type { GatewayPolicyHandler, PolicyDependencies } from '../chain/gateway-policy.type';
import { PolicyChain } from '../chain/policy-chain';
import { GatewayNetwork } from '../network/gateway-network';
import { guardPolicy } from './guard.policy';

class FakeResponse extends EventEmitter {
  destroyed = false;
  finish(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

interface Peer {
  readonly remoteAddress: string;
  readonly authorized?: boolean;
  getPeerCertificate?: () => { fingerprint256?: string };
}

function contextOf(peer: Peer, headers: Record<string, string> = {}): { context: GatewayContext; response: FakeResponse } {
  const response = new FakeResponse();
  const context = {
    request: { raw: { socket: peer, headers } } as unknown as FastifyRequest,
    reply: { raw: response } as unknown as FastifyReply,
    transactionId: 't',
    receivedAt: 0,
    path: '/v1/x/y',
    query: '',
    bytesIn: 0,
  } as GatewayContext;
  return { context, response };
}

const BEHIND_PROXY = new GatewayNetwork({ trustedProxies: parseAddressList('10.0.0.5').ranges, wanCidrs: [] });

describe('guard policy', () => {
  let now: number;
  const build = (settings: Record<string, unknown>, network: GatewayNetwork = BEHIND_PROXY): GatewayPolicyHandler =>
    guardPolicy.create({ perIpPerSecond: 200, maxInFlight: 2000, maxTrackedAddresses: 100000, ...settings } as never, { network, clock: () => now } as unknown as PolicyDependencies);

  beforeEach(() => {
    now = 1_700_000_000_000;
  });

  it('is phase 5, first in the chain, with described and validated settings', () => {
    expect(guardPolicy.phase).toBe(5);
    expect(Object.keys(guardPolicy.configSchema.properties)).toEqual(['perIpPerSecond', 'maxInFlight', 'maxTrackedAddresses']);
    const deps = { network: BEHIND_PROXY } as unknown as PolicyDependencies;
    expect(() => PolicyChain.build([guardPolicy as never], { guard: { maxInFlight: 0 } }, deps)).toThrow(/policy guard: \/maxInFlight must be >= 1/);
    expect(() => PolicyChain.build([guardPolicy as never], { guard: { perIpPerSecond: -1 } }, deps)).toThrow(/policy guard/);
  });

  it('works out the client address once, behind the trusted proxies, for every later step', () => {
    const guard = build({});
    const proxied = contextOf({ remoteAddress: '10.0.0.5' }, { 'x-forwarded-for': '10.20.0.1, 198.51.100.7' }).context;
    expect(guard.handle(proxied)).toBeUndefined();
    expect(proxied.clientIp).toBe('198.51.100.7');
    const direct = contextOf({ remoteAddress: '::ffff:203.0.113.9' }, { 'x-forwarded-for': '10.20.0.1' }).context;
    expect(guard.handle(direct)).toBeUndefined();
    expect(direct.clientIp).toBe('203.0.113.9');
  });

  it('refuses an address over its per-second limit with 429 rate_limited and Retry-After: 1, others still admitted', () => {
    const guard = build({ perIpPerSecond: 3 });
    const from = (ip: string) => guard.handle(contextOf({ remoteAddress: '10.0.0.5' }, { 'x-forwarded-for': ip }).context);
    expect([from('198.51.100.7'), from('198.51.100.7'), from('198.51.100.7')]).toEqual([undefined, undefined, undefined]);
    const refusal = from('198.51.100.7') as LgspError;
    expect(refusal).toBeInstanceOf(LgspError);
    expect({ code: refusal.code, status: refusal.status, detail: refusal.detail, headers: refusal.headers }).toEqual({
      code: ErrorCode.RateLimited,
      status: 429,
      detail: 'More than 3 requests per second from this address',
      headers: { 'retry-after': '1' },
    });
    // Made once, shared by every refusal.
    expect(from('198.51.100.7')).toBe(refusal);
    expect(from('198.51.100.8')).toBeUndefined();
    now += 2000;
    expect(from('198.51.100.7')).toBeUndefined();
  });

  it('has no per-IP limit at 0', () => {
    const guard = build({ perIpPerSecond: 0 });
    for (let i = 0; i < 500; i++) expect(guard.handle(contextOf({ remoteAddress: '203.0.113.9' }).context)).toBeUndefined();
  });

  it('refuses beyond maxInFlight until a response closes', () => {
    const guard = build({ maxInFlight: 2 });
    const first = contextOf({ remoteAddress: '203.0.113.1' });
    const second = contextOf({ remoteAddress: '203.0.113.2' });
    expect(guard.handle(first.context)).toBeUndefined();
    expect(guard.handle(second.context)).toBeUndefined();
    const refusal = guard.handle(contextOf({ remoteAddress: '203.0.113.3' }).context) as LgspError;
    expect({ code: refusal.code, status: refusal.status, headers: refusal.headers }).toEqual({ code: ErrorCode.RateLimited, status: 429, headers: { 'retry-after': '1' } });
    expect(refusal.detail).toMatch(/as many requests as it takes at once/);
    first.response.finish();
    expect(guard.handle(contextOf({ remoteAddress: '203.0.113.3' }).context)).toBeUndefined();
  });

  it('records the fingerprint of a client certificate the TLS handshake verified, and only of such a one', () => {
    const guard = build({}, GatewayNetwork.NONE);
    let asked = 0;
    const verified: Peer = {
      remoteAddress: '203.0.113.9',
      authorized: true,
      getPeerCertificate: () => (asked++, { fingerprint256: 'AB:CD:EF:01' }),
    };
    for (let i = 0; i < 3; i++) {
      const { context } = contextOf(verified);
      guard.handle(context);
      expect(context.clientCertificateSha256).toBe('abcdef01');
    }
    // Once per connection, not per request.
    expect(asked).toBe(1);
    for (const peer of [{ remoteAddress: '203.0.113.9', authorized: false, getPeerCertificate: () => ({ fingerprint256: 'AB' }) }, { remoteAddress: '203.0.113.9' }]) {
      const { context } = contextOf(peer);
      guard.handle(context);
      expect(context.clientCertificateSha256).toBeUndefined();
    }
  });
});
