import { PerIpWindow } from './per-ip-window';

describe('PerIpWindow', () => {
  it('admits up to the limit per address in a window, counting each address apart', () => {
    const window = new PerIpWindow(3, 1000, 100);
    const t = 10_000;
    expect([1, 2, 3, 4].map(() => window.admit('198.51.100.7', t))).toEqual([true, true, true, false]);
    expect(window.admit('198.51.100.8', t)).toBe(true);
    // A refusal is not counted: the address is admitted again as soon as the window lets it.
    expect(window.admit('198.51.100.7', t + 999)).toBe(false);
  });

  it('slides: the previous window weighs by how much of it still overlaps', () => {
    const window = new PerIpWindow(10, 1000, 100);
    for (let i = 0; i < 10; i++) expect(window.admit('a', 0)).toBe(true);
    // At 1.5 s half of the full previous window still counts: 5 of 10 are left.
    const admitted = Array.from({ length: 10 }, () => window.admit('a', 1500)).filter(Boolean).length;
    expect(admitted).toBe(5);
    // Two windows later nothing of it is left.
    expect(Array.from({ length: 11 }, () => window.admit('a', 3000)).filter(Boolean).length).toBe(10);
  });

  it('forgets quiet addresses: memory holds the addresses of two windows at most', () => {
    const window = new PerIpWindow(1, 1000, 100);
    for (let i = 0; i < 50; i++) window.admit(`10.0.0.${i}`, 0);
    expect(window.tracked).toBe(50);
    window.admit('10.0.1.1', 1000);
    expect(window.tracked).toBe(1);
    window.admit('10.0.1.1', 5000);
    expect(window.tracked).toBe(1);
    expect(window.admit('10.0.0.1', 5000)).toBe(true);
  });

  it('stops counting new addresses beyond maxTracked, admitting them, so a spray cannot grow it', () => {
    const window = new PerIpWindow(1, 1000, 3);
    for (const address of ['a', 'b', 'c']) expect(window.admit(address, 0)).toBe(true);
    expect(window.admit('d', 0)).toBe(true);
    expect(window.admit('d', 0)).toBe(true);
    expect(window.tracked).toBe(3);
    // Those tracked are still limited.
    expect(window.admit('a', 0)).toBe(false);
  });
});
