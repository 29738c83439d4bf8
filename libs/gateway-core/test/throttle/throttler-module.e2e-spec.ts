import { ErrorCode, Header } from '@lgsp/contracts';
import { createHttpApp } from '@lgsp/http';
import { createLogger } from '@lgsp/observability';
import { Controller, Get, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ThrottlerStorage } from '@nestjs/throttler';

import { LgspThrottlerGuard, MemorySlidingLogStorage, RedisSlidingLogStorage } from '../../src/lib/policies/throttle';
import { SHARED_REDIS_URL, deleteKeys, runPrefix } from './shared-redis.util';

@Controller('registrations')
class RegistrationsController {
  @Get()
  list(): { ok: boolean } {
    return { ok: true };
  }
}

async function appWith(storage: ThrottlerStorage): Promise<NestFastifyApplication> {
  @Module({
    imports: [ThrottlerModule.forRoot({ throttlers: [{ name: 'read', ttl: 60_000, limit: 3 }], storage, setHeaders: false })],
    controllers: [RegistrationsController],
    providers: [{ provide: APP_GUARD, useClass: LgspThrottlerGuard }],
  })
  class ThrottledModule {}
  const logger = createLogger({ service: 'test', level: 'silent', destination: { write: () => undefined } });
  const { app } = await createHttpApp(ThrottledModule, { service: 'test', logger, bodyLimit: 1024 });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('our storages behind @nestjs/throttler for Nest routes', () => {
  const prefix = runPrefix();
  const redis = RedisSlidingLogStorage.fromOptions({ url: SHARED_REDIS_URL, timeoutMs: 500, keyPrefix: prefix });

  beforeAll(async () => expect(await redis.start()).toBe(true));

  afterAll(async () => {
    await redis.close();
    await deleteKeys(SHARED_REDIS_URL, prefix);
  });

  for (const [name, storage] of [
    ['in-process', new MemorySlidingLogStorage({ sweepIntervalMs: 0 })],
    ['Redis', redis],
  ] as const) {
    it(`${name}: admits the limit, then answers 429 rate_limited with Retry-After and no X-RateLimit-* headers`, async () => {
      const app = await appWith(storage);
      try {
        const fastify = app.getHttpAdapter().getInstance();
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) {
          const response = await fastify.inject({ method: 'GET', url: '/registrations' });
          statuses.push(response.statusCode);
          expect(Object.keys(response.headers).filter((h) => h.startsWith('x-ratelimit'))).toEqual([]);
        }
        expect(statuses).toEqual([200, 200, 200]);
        const refused = await fastify.inject({ method: 'GET', url: '/registrations' });
        expect(refused.statusCode).toBe(429);
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(refused.json()).toMatchObject({ code: ErrorCode.RateLimited, status: 429 });
        expect(Number(refused.headers[Header.retryAfter])).toBeGreaterThanOrEqual(59);
        expect(Object.keys(refused.headers).filter((h) => h.startsWith('x-ratelimit') || h.startsWith('retry-after-'))).toEqual([]);
      } finally {
        await app.close();
      }
    });
  }
});
