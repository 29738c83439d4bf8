import { parseAddressList } from '@lgsp/config';
import fc from 'fast-check';

import { ClientIpResolver, canonicalIp, forwardedAddress } from './client-ip.util';
import { GatewayNetwork } from './gateway-network';

const resolverOf = (proxies: string) => new ClientIpResolver(parseAddressList(proxies).ranges);

describe('ClientIpResolver', () => {
  it('is the connection address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const none = resolverOf('');
    expect(none.resolve('203.0.113.9', '10.20.0.1')).toBe('203.0.113.9');
    expect(none.resolve('::ffff:203.0.113.9', undefined)).toBe('203.0.113.9');
    expect(none.resolve('2001:db8::9', '10.20.0.1, 10.0.0.5')).toBe('2001:db8::9');
    expect(none.isTrustedProxy('127.0.0.1')).toBe(false);
  });

  it('ignores a spoofed X-Forwarded-For sent straight from an untrusted peer', () => {
    const resolver = resolverOf('10.0.0.0/24');
    expect(resolver.resolve('203.0.113.9', '10.20.0.1')).toBe('203.0.113.9');
    expect(resolver.resolve('203.0.113.9', '10.0.0.5')).toBe('203.0.113.9');
  });

  it('takes the address a trusted proxy saw, and only that one: entries further left are the client’s own', () => {
    const resolver = resolverOf('10.0.0.5');
    expect(resolver.resolve('10.0.0.5', '198.51.100.7')).toBe('198.51.100.7');
    // The client sent "X-Forwarded-For: 10.20.0.1" to the load balancer, which appended its address.
    expect(resolver.resolve('10.0.0.5', '10.20.0.1, 198.51.100.7')).toBe('198.51.100.7');
    // No X-Forwarded-For through a trusted proxy: the proxy is the best we know.
    expect(resolver.resolve('10.0.0.5', undefined)).toBe('10.0.0.5');
  });

  it('walks a chain of trusted proxies from the right, IPv4 and IPv6', () => {
    const resolver = resolverOf('10.0.0.0/24, 2001:db8:ffff::/48');
    expect(resolver.resolve('10.0.0.5', '198.51.100.7, 2001:db8:ffff::2, 10.0.0.9')).toBe('198.51.100.7');
    expect(resolver.resolve('::ffff:10.0.0.5', 'spoofed, 2001:db8:1::7,10.0.0.9')).toBe('2001:db8:1::7');
    // Every hop trusted: the leftmost is the client (an internal caller through two proxies).
    expect(resolver.resolve('10.0.0.5', '10.0.0.7, 10.0.0.9')).toBe('10.0.0.7');
    // Repeated headers arrive as one list in order.
    expect(resolver.resolve('10.0.0.5', ['198.51.100.7', '10.0.0.9'])).toBe('198.51.100.7');
  });

  it('accepts hops with ports and brackets, and stops at a hop that is no address', () => {
    const resolver = resolverOf('10.0.0.0/24');
    expect(resolver.resolve('10.0.0.5', '198.51.100.7:5123')).toBe('198.51.100.7');
    expect(resolver.resolve('10.0.0.5', '[2001:db8::7]:443')).toBe('2001:db8::7');
    expect(resolver.resolve('10.0.0.5', '198.51.100.7, unknown')).toBe('10.0.0.5');
    expect(resolver.resolve('10.0.0.5', '198.51.100.7, unknown, 10.0.0.8')).toBe('10.0.0.8');
    expect(resolver.resolve('10.0.0.5', '198.51.100.7, ')).toBe('10.0.0.5');
    expect(resolver.resolve('10.0.0.5', '')).toBe('10.0.0.5');
  });

  it('never answers an address a trusted proxy did not vouch for (property)', () => {
    const resolver = resolverOf('10.0.0.0/24');
    const untrusted = fc.tuple(fc.integer({ min: 11, max: 223 }), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
    const trusted = fc.nat(255).map((n) => `10.0.0.${n}`);
    fc.assert(
      fc.property(fc.array(fc.oneof(untrusted, trusted, fc.constant('junk'))), untrusted, fc.array(trusted, { maxLength: 3 }), (spoofed, client, proxies) => {
        // What arrives: the client's own entries, then each trusted proxy appended the address it got the request from.
        const chain = [...spoofed, client, ...proxies.slice(0, -1)];
        const peer = proxies.at(-1) ?? client;
        expect(resolver.resolve(peer, proxies.length === 0 ? spoofed.join(', ') : chain.join(', '))).toBe(client);
      }),
    );
  });
});

describe('forwardedAddress and canonicalIp', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['192.0.2.1:80', '192.0.2.1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['[2001:db8::1]:8443', '2001:db8::1'],
    ['[192.0.2.1]', undefined],
    ['2001:db8::1:80:', undefined],
    ['host.example', undefined],
    ['', undefined],
  ])('%j → %j', (entry, address) => {
    expect(forwardedAddress(entry)).toBe(address);
  });

  it('keeps IPv6 addresses that merely start like mapped ones', () => {
    expect(canonicalIp('::ffff:abcd')).toBe('::ffff:abcd');
    expect(canonicalIp('::1')).toBe('::1');
  });
});

describe('GatewayNetwork', () => {
  it('tells whether a client address is in the Party-WAN zone; unknown and unset mean outside', () => {
    const network = new GatewayNetwork({ trustedProxies: [], wanCidrs: parseAddressList('10.20.0.0/16, 2001:db8:20::/48').ranges });
    expect(network.inWan('10.20.3.4')).toBe(true);
    expect(network.inWan('::ffff:10.20.3.4')).toBe(true);
    expect(network.inWan('2001:db8:20::1')).toBe(true);
    expect(network.inWan('10.21.0.1')).toBe(false);
    expect(network.inWan(undefined)).toBe(false);
    expect(network.inWan('')).toBe(false);
    expect(GatewayNetwork.NONE.inWan('10.20.3.4')).toBe(false);
  });
});
