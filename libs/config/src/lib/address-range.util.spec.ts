import { blockListOf, parseAddressList, parseAddressRange } from './address-range.util';

describe('parseAddressRange', () => {
  it.each([
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['192.0.2.7', { address: '192.0.2.7', prefix: 32, family: 'ipv4' }],
    ['0.0.0.0/0', { address: '0.0.0.0', prefix: 0, family: 'ipv4' }],
    ['2001:db8::/32', { address: '2001:db8::', prefix: 32, family: 'ipv6' }],
    ['::1', { address: '::1', prefix: 128, family: 'ipv6' }],
    ['::ffff:10.0.0.0/104', { address: '::ffff:10.0.0.0', prefix: 104, family: 'ipv6' }],
  ])('reads %s', (text, range) => {
    expect(parseAddressRange(text)).toEqual(range);
  });

  it.each(['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/-1', '10.0.0.0/0x8', 'example.org', '10.0.0', 'fe80::1%eth0', '[::1]', ''])(
    'refuses %j',
    (text) => {
      expect(parseAddressRange(text)).toBeUndefined();
    },
  );
});

describe('parseAddressList', () => {
  it('reads a comma-separated list, blanks ignored, and names what is not a range', () => {
    expect(parseAddressList(' 10.0.0.0/8 ,2001:db8::/32,, 192.0.2.7 ')).toEqual({
      ranges: [
        { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
        { address: '2001:db8::', prefix: 32, family: 'ipv6' },
        { address: '192.0.2.7', prefix: 32, family: 'ipv4' },
      ],
      invalid: [],
    });
    expect(parseAddressList('10.0.0.0/8, lb.internal, 10.1.0.0/40').invalid).toEqual(['lb.internal', '10.1.0.0/40']);
  });
});

describe('blockListOf', () => {
  const list = blockListOf(parseAddressList('10.0.0.0/8, 192.0.2.7, 2001:db8::/32').ranges);

  it.each([
    ['10.255.0.1', 'ipv4', true],
    ['11.0.0.1', 'ipv4', false],
    ['192.0.2.7', 'ipv4', true],
    ['192.0.2.8', 'ipv4', false],
    ['2001:db8:ffff::1', 'ipv6', true],
    ['2001:db9::1', 'ipv6', false],
    // A dual-stack socket's view of an IPv4 client matches the IPv4 ranges.
    ['::ffff:10.1.2.3', 'ipv6', true],
    ['::ffff:11.1.2.3', 'ipv6', false],
  ] as const)('%s → %s', (address, family, inside) => {
    expect(list.check(address, family)).toBe(inside);
  });

  it('matches nothing when empty', () => {
    expect(blockListOf([]).check('10.0.0.1')).toBe(false);
  });
});
