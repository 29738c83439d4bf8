import { ErrorCode, Header, LgspError } from '@lgsp/contracts';
import type { Environment } from '@lgsp/contracts';
import type { SnapshotRateLimit } from '@lgsp/data';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { GatewayContext } from '../../chain/gateway-context.type';
import type { GatewayPolicyHandler, PolicyDependencies, PolicyResult } from '../../chain/gateway-policy.type';
import type { ApiRoute } from '../../routing/route-table';
import { throttlePolicy } from '../throttle.policy';
import { FailoverSlidingLogStorage } from './failover-sliding-log.storage';
import { ThrottleLimits } from './limit-resolver';
import { MemorySlidingLogStorage } from './memory-sliding-log.storage';
import type { RedisSlidingLogStorage } from './redis-sliding-log.storage';

interface Sent {
  readonly context: GatewayContext;
  readonly headers: Map<string, string>;
}

function requestOf(method: string, consumerId: string | undefined, environment: Environment | undefined = 'production', apiVersionId = 'version-1'): Sent {
  const headers = new Map<string, string>();
  const reply = {
    header(name: string, value: string) {
      headers.set(name, value);
      return reply;
    },
  };
  const context: GatewayContext = {
    request: { method } as FastifyRequest,
    reply: reply as unknown as FastifyReply,
    transactionId: 'transaction',
    receivedAt: 0,
    path: '/v1/documents/x',
    query: '',
    route: { apiVersionId } as ApiRoute,
    environment,
    consumerId,
    bytesIn: 0,
  };
  return { context, headers };
}

describe('throttle policy (in-process, one replica)', () => {
  let now: number;
  let storage: MemorySlidingLogStorage;
  let limits: ThrottleLimits;
  let handler: GatewayPolicyHandler;

  beforeEach(() => {
    now = 5_000_000;
    storage = new MemorySlidingLogStorage({ clock: () => now, sweepIntervalMs: 0 });
    limits = new ThrottleLimits({ readPerMinute: 1000, writePerMinute: 300 });
    handler = throttlePolicy.create({}, { throttle: { storage, limits } } as unknown as PolicyDependencies);
  });

  afterEach(() => storage.close());

  async function send(method: string, consumerId: string | undefined, environment?: Environment, apiVersionId?: string): Promise<{ refusal: PolicyResult; headers: Map<string, string> }> {
    const { context, headers } = requestOf(method, consumerId, environment, apiVersionId);
    return { refusal: await handler.handle(context), headers };
  }

  async function admitted(count: number, method: string, consumerId: string, environment?: Environment, apiVersionId?: string): Promise<number> {
    const outcomes = await Promise.all(Array.from({ length: count }, () => send(method, consumerId, environment, apiVersionId)));
    return outcomes.filter((o) => o.refusal === undefined).length;
  }

  it('admits 1,000 concurrent GETs of one system; the 1,001st in the same minute is 429 with the seconds until the first leaves', async () => {
    const outcomes = await Promise.all(Array.from({ length: 1000 }, () => send('GET', 'tu-ha-noi.qlcb')));
    expect(outcomes.every((o) => o.refusal === undefined)).toBe(true);
    expect(outcomes[0].headers.get(Header.rateLimitPolicy)).toBe('"read";q=1000;w=60, "write";q=300;w=60');
    expect(outcomes[0].headers.get(Header.rateLimit)).toBe('"read";r=999;t=60');
    expect(outcomes[999].headers.get(Header.rateLimit)).toBe('"read";r=0;t=60');

    now += 17_400;
    const { refusal, headers } = await send('GET', 'tu-ha-noi.qlcb');
    expect(refusal).toBeInstanceOf(LgspError);
    expect(refusal?.code).toBe(ErrorCode.RateLimited);
    expect(refusal?.status).toBe(429);
    expect(refusal?.headers).toEqual({ [Header.retryAfter]: '43' });
    expect(headers.get(Header.rateLimit)).toBe('"read";r=0;t=43');
    expect(headers.get(Header.rateLimitPolicy)).toBe('"read";q=1000;w=60, "write";q=300;w=60');

    now += 42_599; // 1 ms before the burst leaves the window
    expect((await send('GET', 'tu-ha-noi.qlcb')).refusal?.headers).toEqual({ [Header.retryAfter]: '1' });
    now += 1;
    expect((await send('GET', 'tu-ha-noi.qlcb')).refusal).toBeUndefined();
  });

  it('admits 300 concurrent writes (POST, PUT, PATCH, DELETE); the 301st is 429', async () => {
    const methods = ['POST', 'PUT', 'PATCH', 'DELETE'];
    const outcomes = await Promise.all(Array.from({ length: 300 }, (_, i) => send(methods[i % 4], 'tu-ha-noi.qlcb')));
    expect(outcomes.every((o) => o.refusal === undefined)).toBe(true);
    expect(outcomes[299].headers.get(Header.rateLimit)).toBe('"write";r=0;t=60');
    now += 30_000;
    const { refusal, headers } = await send('DELETE', 'tu-ha-noi.qlcb');
    expect(refusal?.code).toBe(ErrorCode.RateLimited);
    expect(refusal?.headers).toEqual({ [Header.retryAfter]: '30' });
    expect(refusal?.detail).toMatch(/limited to 300 per minute/);
    expect(headers.get(Header.rateLimit)).toBe('"write";r=0;t=30');
  });

  it('gives each system its own budget', async () => {
    expect(await admitted(1001, 'GET', 'system-a')).toBe(1000);
    expect(await admitted(1001, 'GET', 'system-b')).toBe(1000);
  });

  it('keeps reads and writes apart, and counts HEAD and OPTIONS as reads', async () => {
    expect(await admitted(1000, 'GET', 'system-a')).toBe(1000);
    expect(await admitted(301, 'POST', 'system-a')).toBe(300);
    expect((await send('HEAD', 'system-a')).refusal?.code).toBe(ErrorCode.RateLimited);
    expect((await send('OPTIONS', 'system-a')).refusal?.code).toBe(ErrorCode.RateLimited);
    expect((await send('GET', 'system-b')).refusal).toBeUndefined();
  });

  it('keeps sandbox and production budgets apart', async () => {
    expect(await admitted(301, 'POST', 'system-a', 'sandbox')).toBe(300);
    expect(await admitted(301, 'POST', 'system-a', 'production')).toBe(300);
  });

  it("applies the consumer's own limits and a per-version limit as a separate budget, and changes them at run time", async () => {
    const rows: SnapshotRateLimit[] = [
      { consumerId: 'system-a', apiVersionId: null, readPerMinute: 5, writePerMinute: 2 },
      { consumerId: 'system-a', apiVersionId: 'version-big', readPerMinute: 8, writePerMinute: 4 },
      { consumerId: 'system-b', apiVersionId: 'version-big', readPerMinute: 3, writePerMinute: 1 },
    ];
    limits.update(rows);
    expect(await admitted(10, 'GET', 'system-a', 'production', 'version-1')).toBe(5);
    expect(await admitted(10, 'POST', 'system-a', 'production', 'version-1')).toBe(2);
    // Its own budget: the spent general one does not refuse it.
    expect(await admitted(10, 'GET', 'system-a', 'production', 'version-big')).toBe(8);
    expect(await admitted(10, 'GET', 'system-b', 'production', 'version-big')).toBe(3);
    // system-b has no general override: the platform default.
    const { headers } = await send('GET', 'system-b', 'production', 'version-1');
    expect(headers.get(Header.rateLimitPolicy)).toBe('"read";q=1000;w=60, "write";q=300;w=60');
    expect((await send('GET', 'system-a', 'production', 'version-big')).headers.get(Header.rateLimitPolicy)).toBe('"read";q=8;w=60, "write";q=4;w=60');

    // The DGO raises system-a's limit: the same budget, so the five already admitted still count.
    limits.update([{ consumerId: 'system-a', apiVersionId: null, readPerMinute: 7, writePerMinute: 2 }]);
    expect(await admitted(10, 'GET', 'system-a', 'production', 'version-1')).toBe(2);
    // ...and the per-version override is gone: version-big now shares the general budget.
    expect((await send('GET', 'system-a', 'production', 'version-big')).refusal?.code).toBe(ErrorCode.RateLimited);

    // Lowered below what was admitted: refused until enough leave, with the exact wait.
    now += 10_000;
    limits.update([{ consumerId: 'system-a', apiVersionId: null, readPerMinute: 3, writePerMinute: 2 }]);
    const refused = await send('GET', 'system-a', 'production', 'version-1');
    expect(refused.refusal?.headers).toEqual({ [Header.retryAfter]: '50' });
    // Back to the defaults.
    limits.update([]);
    expect(await admitted(1000, 'GET', 'system-a', 'production', 'version-1')).toBe(993);
  });

  it('records its decision on the context, and flags only the first refusal after an admission as a throttle-burst', async () => {
    limits.update([{ consumerId: 'system-a', apiVersionId: null, readPerMinute: 1, writePerMinute: 1 }]);
    const decide = async () => {
      const { context } = requestOf('GET', 'system-a');
      await handler.handle(context);
      return [context.throttle, context.securityEvent];
    };
    expect(await decide()).toEqual([{ limit: 'read', quota: 1, remaining: 0, admitted: true, local: undefined }, undefined]);
    expect(await decide()).toEqual([{ limit: 'read', quota: 1, remaining: 0, admitted: false, local: undefined }, 'throttle-burst']);
    expect(await decide()).toEqual([expect.objectContaining({ admitted: false }), undefined]);
    expect(await decide()).toEqual([expect.objectContaining({ admitted: false }), undefined]);
    // The window passes: admitted again, and the next run of refusals starts with a burst again.
    now += 60_001;
    expect(await decide()).toEqual([expect.objectContaining({ admitted: true }), undefined]);
    expect(await decide()).toEqual([expect.objectContaining({ admitted: false }), 'throttle-burst']);
    // Each budget has its own flag: the write budget's first refusal is a burst of its own.
    const write = async () => {
      const { context } = requestOf('POST', 'system-a');
      await handler.handle(context);
      return context.securityEvent;
    };
    expect([await write(), await write(), await write()]).toEqual([undefined, 'throttle-burst', undefined]);
  });

  it('marks a decision the failover storage took alone, while Redis is unreachable, as local', async () => {
    const shared = { decide: () => Promise.reject(new Error('connection refused')), start: async () => true, close: async () => undefined } as unknown as RedisSlidingLogStorage;
    const failover = new FailoverSlidingLogStorage({ shared, local: storage, replicas: 2, clock: () => now });
    const degraded = throttlePolicy.create({}, { throttle: { storage: failover, limits } } as unknown as PolicyDependencies);
    const { context } = requestOf('GET', 'system-a');
    expect(await degraded.handle(context)).toBeUndefined();
    // The replica's share of 1,000: 500, one spent.
    expect(context.throttle).toEqual({ limit: 'read', quota: 1000, remaining: 499, admitted: true, local: true });
  });

  it('refuses closed (500) a request that reached it without an authenticated consumer', async () => {
    expect((await send('GET', undefined)).refusal?.code).toBe(ErrorCode.InternalError);
    const { context } = requestOf('GET', 'system-a');
    context.environment = undefined;
    expect((await handler.handle(context))?.code).toBe(ErrorCode.InternalError);
    expect(storage.size).toBe(0);
  });

  it('describes its place in the chain and refuses to be built without its dependencies', () => {
    expect(throttlePolicy.phase).toBe(50);
    expect(throttlePolicy.configSchema.properties).toEqual({});
    expect(() => throttlePolicy.create({}, {} as PolicyDependencies)).toThrow(/dependencies.throttle/);
  });
});
