import { retryAfterSeconds } from './retry-after.util';

describe('retryAfterSeconds', () => {
  it('reads delay-seconds', () => {
    expect(retryAfterSeconds('1')).toBe(1);
    expect(retryAfterSeconds(' 30 ')).toBe(30);
    expect(retryAfterSeconds('0')).toBe(0);
  });

  it('reads an HTTP-date as the seconds until it, never less than 0', () => {
    const now = Date.parse('2026-03-02T08:00:00Z');
    expect(retryAfterSeconds('Mon, 02 Mar 2026 08:00:05 GMT', now)).toBe(5);
    expect(retryAfterSeconds('Mon, 02 Mar 2026 07:00:00 GMT', now)).toBe(0);
  });

  it('is undefined when absent or unreadable', () => {
    expect(retryAfterSeconds(undefined)).toBeUndefined();
    expect(retryAfterSeconds('-1')).toBeUndefined();
    expect(retryAfterSeconds('soon')).toBeUndefined();
    expect(retryAfterSeconds('1.5')).toBeUndefined();
  });
});
