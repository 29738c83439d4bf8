import { LimitResolver, ThrottleLimits } from './limit-resolver';

const DEFAULTS = { readPerMinute: 1000, writePerMinute: 300 };

describe('LimitResolver', () => {
  const resolver = LimitResolver.build(
    [
      { consumerId: 'a', apiVersionId: null, readPerMinute: 50, writePerMinute: 5 },
      { consumerId: 'a', apiVersionId: 'v-big', readPerMinute: 5000, writePerMinute: 600 },
      { consumerId: 'b', apiVersionId: 'v-big', readPerMinute: 10, writePerMinute: 1 },
    ],
    DEFAULTS,
  );

  it('resolves consumer × version override, then consumer override, then the platform default', () => {
    expect(resolver.resolve('a', 'production', 'v-big').read.limit).toBe(5000);
    expect(resolver.resolve('a', 'production', 'v-other').read.limit).toBe(50);
    expect(resolver.resolve('a', 'production', undefined).write.limit).toBe(5);
    expect(resolver.resolve('b', 'sandbox', 'v-big').write.limit).toBe(1);
    expect(resolver.resolve('b', 'sandbox', 'v-other').write.limit).toBe(300);
    expect(resolver.resolve('unknown', 'sandbox', 'v-big').read.limit).toBe(1000);
  });

  it('keys budgets by consumer, environment, version (only when it has its own limit) and class', () => {
    expect(resolver.resolve('a', 'production', 'v-big').read.key).toBe('a:production:v-big:read');
    expect(resolver.resolve('a', 'sandbox', 'v-other').write.key).toBe('a:sandbox:*:write');
    expect(resolver.resolve('c', 'production', 'v-big').read.key).toBe('c:production:*:read');
  });

  it('builds each budget once: the hot path reuses keys and header values', () => {
    expect(resolver.resolve('c', 'production', 'v-1')).toBe(resolver.resolve('c', 'production', 'v-2'));
    expect(resolver.resolve('a', 'sandbox', 'v-big')).toBe(resolver.resolve('a', 'sandbox', 'v-big'));
    expect(resolver.resolve('a', 'sandbox', 'v-big')).not.toBe(resolver.resolve('a', 'production', 'v-big'));
    expect(resolver.resolve('a', 'sandbox', 'v-big').policy).toBe('"read";q=5000;w=60, "write";q=600;w=60');
    expect(resolver.resolve('a', 'sandbox', 'v-big').write.fieldPrefix).toBe('"write";r=');
  });

  it('is swapped whole when the registry changes', () => {
    const limits = new ThrottleLimits(DEFAULTS);
    const before = limits.resolver;
    expect(before.resolve('a', 'production', undefined).read.limit).toBe(1000);
    limits.update([{ consumerId: 'a', apiVersionId: null, readPerMinute: 2, writePerMinute: 1 }]);
    expect(limits.resolver).not.toBe(before);
    expect(limits.resolver.resolve('a', 'production', undefined).read.limit).toBe(2);
  });
});
