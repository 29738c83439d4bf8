import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { configFrom } from '@lgsp/config';
import type { TransactionRecord } from '@lgsp/contracts';
import { InProcessChangeChannel } from '@lgsp/data';
import { createHttpApp } from '@lgsp/http';
import { SegmentFileSink, readSegments } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';
import type { SpyUpstream } from '@lgsp/testing';
import { startSpyUpstream } from '@lgsp/testing';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { request } from 'undici';
import type { Dispatcher } from 'undici';

import { GatewayModule } from '../src/lib/gateway.module';
import { createThrottleRuntime } from '../src/lib/policies/throttle';
import type { RegistrySource, RegistryView } from '../src/lib/registry/registry-state.service';
import type { RoutableApiVersion } from '../src/lib/routing/route-table';
import { TestTokenMinter, testSigningKey } from './test-tokens.util';

export const TEST_CONSUMER = 'tu-ha-noi.qlcb';

/** A REST or SOAP version served by the given upstream, every environment alike. */
export function testVersion(domain: string, upstream: string, extra: Partial<RoutableApiVersion> = {}): RoutableApiVersion {
  return {
    id: randomUUID(),
    domain,
    version: 'v1',
    kind: 'rest',
    status: 'published',
    classification: 'noi-bo',
    upstreams: { sandbox: upstream, production: upstream },
    openapi: null,
    ...extra,
  };
}

export interface TestCallResult {
  readonly status: number;
  readonly headers: Dispatcher.ResponseData['headers'];
  readonly body: Buffer;
  readonly text: string;
}

export interface TestGateway {
  readonly base: string;
  readonly upstream: SpyUpstream;
  /** A valid token of TEST_CONSUMER in sandbox. */
  readonly token: string;
  /** The gateway's log lines at warn and above (an unhandled error shows up here). */
  readonly logs: string[];
  call(path: string, init?: { method?: string; headers?: Record<string, string | undefined>; body?: string | Buffer }): Promise<TestCallResult>;
  records(): Promise<TransactionRecord[]>;
  close(): Promise<void>;
}

/**
 * A real gateway in this process (GatewayModule on Fastify, ephemeral port) in front of a spy
 * upstream, with a fixed registry: TEST_CONSUMER active and subscribed to every version given.
 */
export async function startTestGateway(versionsOf: (upstream: string) => RoutableApiVersion[], env: Record<string, string> = {}): Promise<TestGateway> {
  const upstream = await startSpyUpstream();
  const dir = await mkdtemp(join(tmpdir(), 'lgsp-gw-'));
  const config = configFrom({ LGSP_PORT: '0', LGSP_DATA_DIR: dir, LGSP_REQUIRE_SIGNED_WRITES: 'false', ...env });
  const logs: string[] = [];
  const logger = createLogger({ service: 'lgsp-gateway', level: 'warn', destination: { write: (line: string) => void logs.push(line) } });
  const sink = await SegmentFileSink.open({ dir: join(dir, 'outbox'), flushIntervalMs: 10_000, segmentBytes: 1 << 20 });
  const key = await testSigningKey();
  const token = await new TestTokenMinter(config.publicUrl).mint(key);
  const versions = versionsOf(upstream.url);
  const registry: RegistrySource = {
    load: async (): Promise<RegistryView> => ({
      apiVersions: versions,
      rateLimits: [],
      consumers: [{ id: TEST_CONSUMER, status: 'active' }],
      subscriptions: versions.flatMap((v) => (['sandbox', 'production'] as const).map((environment) => ({ consumerId: TEST_CONSUMER, apiVersionId: v.id, environment }))),
      blocks: [],
    }),
    onChange: () => () => undefined,
  };
  const changes = new InProcessChangeChannel();
  @Module({
    imports: [
      GatewayModule.forRoot({
        config,
        logger,
        registry,
        changes,
        jwks: { load: async () => ({ keys: [key.publicJwk] }) },
        revocations: { loadActive: async () => [] },
        sink,
        throttle: createThrottleRuntime(config.throttling),
        tracingEnabled: false,
      }),
    ],
  })
  class TestGatewayModule {}
  const { app } = await createHttpApp(TestGatewayModule, { service: 'lgsp-gateway', logger, bodyLimit: config.maxBodyBytes });
  await (app as NestFastifyApplication).listen({ port: 0, host: '127.0.0.1' });
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    base,
    upstream,
    token,
    logs,
    async call(path, init = {}) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries({ authorization: `Bearer ${token}`, ...init.headers })) if (value !== undefined) headers[name] = value;
      const res = await request(base + path, { method: (init.method ?? 'GET') as 'GET', headers, body: init.body });
      const body = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, headers: res.headers, body, text: body.toString('utf8') };
    },
    async records() {
      await sink.flush();
      return (await readSegments(join(dir, 'outbox'))).records;
    },
    async close() {
      await app.close();
      await changes.close();
      await sink.close();
      await upstream.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
