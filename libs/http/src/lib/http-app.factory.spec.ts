import { randomUUID } from 'node:crypto';

import { ErrorCode, LgspError } from '@lgsp/contracts';
import { createLogger } from '@lgsp/observability';
import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { request } from 'undici';

import { createHttpApp } from './http-app.factory';

class ItemDto {
  @ApiProperty({ description: 'Name of the item' })
  @IsString()
  name!: string;

  @ApiProperty({ description: 'How many, 1 to 10' })
  @IsInt()
  @Min(1)
  @Max(10)
  count!: number;
}

@Controller()
class SampleController {
  @Get('boom')
  boom(): never {
    throw new Error('internal detail: canary-db-password');
  }

  @Get('refuse')
  refuse(): never {
    throw new LgspError(ErrorCode.RateLimited, 'slow down', undefined, { 'retry-after': '7' });
  }

  @Post('items')
  create(@Body() item: ItemDto): ItemDto {
    return item;
  }
}

@Module({ controllers: [SampleController] })
class SampleModule {}

describe('createHttpApp', () => {
  let app: NestFastifyApplication;
  let base: string;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const logger = createLogger({ service: 'sample', level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
    ({ app } = await createHttpApp(SampleModule, { service: 'sample', logger, bodyLimit: 256 }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = await app.getUrl();
  });

  afterAll(() => app.close());

  async function call(path: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}) {
    const res = await request(base + path, init);
    return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, unknown> };
  }

  it('answers an unknown error 500 internal_error with an error id, logged with it, never the message', async () => {
    const requestId = randomUUID();
    const res = await call('/boom', { headers: { 'x-request-id': requestId } });
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toEqual({
      type: 'urn:lgsp:problem:internal_error',
      title: 'Internal error',
      status: 500,
      code: 'internal_error',
      requestId,
      transactionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(JSON.stringify(res.body)).not.toContain('canary');
    const logged = lines.find((l) => (l.error as { id?: string } | undefined)?.id === res.body.errorId);
    expect(logged).toMatchObject({ 'log.level': 'error', 'http.request.id': requestId, transaction: { id: res.body.transactionId } });
  });

  it('answers an LgspError with its status, code and headers', async () => {
    const res = await call('/refuse');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.body).toMatchObject({ code: 'rate_limited', detail: 'slow down' });
    expect(res.body.requestId).toBeUndefined();
  });

  it('lists every invalid field and refuses unknown ones', async () => {
    const res = await call('/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 3, count: 11, extra: true }) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { location: 'name', message: 'name must be a string' },
        { location: 'count', message: 'count must not be greater than 10' },
        { location: 'extra', message: 'property extra should not exist' },
      ]),
    );
  });

  it('answers problems for what Fastify refuses before Nest: bad JSON, too large, wrong type, no route', async () => {
    const badJson = await call('/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({ code: 'validation_failed', type: 'urn:lgsp:problem:validation_failed' });
    const large = await call('/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(300), count: 1 }) });
    expect(large.status).toBe(413);
    expect(large.body.code).toBe('payload_too_large');
    const type = await call('/items', { method: 'POST', headers: { 'content-type': 'application/x-unknown' }, body: 'x' });
    expect(type.status).toBe(415);
    expect(type.body.code).toBe('unsupported_media_type');
    const none = await call('/nowhere');
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ code: 'not_found', transactionId: expect.any(String) });
  });

  it('accepts a valid body', async () => {
    expect(await call('/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'a', count: 2 }) })).toMatchObject({
      status: 201,
      body: { name: 'a', count: 2 },
    });
  });

  it('counts requests by route template in /metrics', async () => {
    const res = await request(`${base}/metrics`);
    const text = await res.body.text();
    expect(text).toMatch(/lgsp_http_requests_total\{service="sample",route="\/items",method="POST",status="400"\} [1-9]/);
  });
});
