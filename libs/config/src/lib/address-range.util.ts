import { BlockList, isIP } from 'node:net';

/** One IP address or CIDR block of an address-list variable (LGSP_TRUSTED_PROXIES, LGSP_WAN_CIDRS). */
export interface AddressRange {
  readonly address: string;
  /** 32 (IPv4) or 128 (IPv6) for a single address. */
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

const PREFIX = /^\d{1,3}$/;

/** `10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7` or `::1`; undefined when it is none of these. */
export function parseAddressRange(text: string): AddressRange | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  // Zone ids (fe80::1%eth0) name an interface, not a range a client could come from.
  const version = address.includes('%') ? 0 : isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  if (slash === -1) return { address, prefix: max, family: version === 4 ? 'ipv4' : 'ipv6' };
  const bits = text.slice(slash + 1);
  if (!PREFIX.test(bits) || Number(bits) > max) return undefined;
  return { address, prefix: Number(bits), family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** A comma-separated list (blanks around entries ignored): the ranges, and the entries that are not ranges. */
export function parseAddressList(value: string): { ranges: AddressRange[]; invalid: string[] } {
  const ranges: AddressRange[] = [];
  const invalid: string[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const range = parseAddressRange(entry);
    if (range === undefined) invalid.push(entry);
    else ranges.push(range);
  }
  return { ranges, invalid };
}

/**
 * The ranges as a node:net BlockList, built once: `check(address, family)` matches IPv4 and IPv6
 * (IPv4-mapped IPv6 addresses match their IPv4 ranges) without allocating.
 */
export function blockListOf(ranges: readonly AddressRange[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) list.addSubnet(range.address, range.prefix, range.family);
  return list;
}
