import { isIP } from 'node:net';
import type { BlockList } from 'node:net';

import { blockListOf } from '@lgsp/config';
import type { AddressRange } from '@lgsp/config';

const MAPPED_IPV4 = '::ffff:';
const COLON = 58;
const OPEN_BRACKET = 91;

/** IPv4-mapped IPv6 (how a dual-stack socket sees an IPv4 client) as plain IPv4; any other address unchanged. */
export function canonicalIp(address: string): string {
  return address.charCodeAt(0) === COLON && address.startsWith(MAPPED_IPV4) && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** One X-Forwarded-For entry as an address: `192.0.2.7`, `2001:db8::7`, `[2001:db8::7]:443` or `192.0.2.7:443`. */
export function forwardedAddress(entry: string): string | undefined {
  if (isIP(entry) !== 0) return canonicalIp(entry);
  if (entry.charCodeAt(0) === OPEN_BRACKET) {
    const close = entry.indexOf(']');
    const inner = close === -1 ? '' : entry.slice(1, close);
    return isIP(inner) === 6 ? canonicalIp(inner) : undefined;
  }
  const colon = entry.indexOf(':');
  if (colon === -1 || entry.indexOf(':', colon + 1) !== -1) return undefined;
  const host = entry.slice(0, colon);
  return isIP(host) === 4 ? host : undefined;
}

export function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/**
 * The client's address behind the trusted proxies (LGSP_TRUSTED_PROXIES). The connection's peer is
 * the client unless it is a trusted proxy; then X-Forwarded-For is walked from the right — each
 * trusted proxy appended the address it got the request from — to the first address that is not a
 * trusted proxy. Entries further left were written by the client itself and are never believed, so
 * a spoofed X-Forwarded-For sent straight to the gateway changes nothing.
 */
export class ClientIpResolver {
  private readonly proxies?: BlockList;

  constructor(trustedProxies: readonly AddressRange[]) {
    if (trustedProxies.length > 0) this.proxies = blockListOf(trustedProxies);
  }

  isTrustedProxy(address: string): boolean {
    return this.proxies !== undefined && this.proxies.check(address, familyOf(address));
  }

  resolve(peerAddress: string | undefined, forwardedFor: string | readonly string[] | undefined): string {
    let client = canonicalIp(peerAddress ?? '');
    if (this.proxies === undefined || forwardedFor === undefined || !this.isTrustedProxy(client)) return client;
    const header = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',');
    let end = header.length;
    while (end > 0) {
      const start = header.lastIndexOf(',', end - 1);
      const hop = forwardedAddress(header.slice(start + 1, end).trim());
      // A hop that is no address ends the walk: the last trusted proxy is the nearest known sender.
      if (hop === undefined) return client;
      client = hop;
      if (!this.isTrustedProxy(hop)) return hop;
      end = start;
    }
    return client;
  }
}
