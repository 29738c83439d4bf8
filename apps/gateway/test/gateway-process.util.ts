import { randomUUID } from 'node:crypto';

import { applyDeclarativeConfig } from '@lgsp/data';
import type { LgspDb } from '@lgsp/data';
import type { TsProcess } from '@lgsp/testing';
import { startTsProcess } from '@lgsp/testing';
import { request } from 'undici';

export const PUBLIC_URL = 'https://api.lgsp.test';
export const PEPPER = 'gateway-process-pepper-gateway-process-pepper';
export const KEY_ENCRYPTION_KEY = 'gateway-process-kek-gateway-process-kek-01';

export interface GatewayProcess {
  readonly process: TsProcess;
  readonly url: string;
}

/** `apps/gateway` as its own process, once it has said where it listens. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const gateway = startTsProcess('apps/gateway/src/main.ts', {
    LGSP_PORT: '0',
    LGSP_PUBLIC_URL: PUBLIC_URL,
    LGSP_SECRET_PEPPER: PEPPER,
    LGSP_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY,
    LGSP_LOG_LEVEL: 'info',
    ...env,
  });
  const [, url] = await gateway.waitFor(/LGSP gateway listening on (http:\/\/[^"\s]+)/);
  return { process: gateway, url };
}

export interface Readiness {
  readonly status: number;
  readonly body: { status: string; snapshot: string; routes: number; signingKeys: number };
}

export async function readiness(url: string): Promise<Readiness> {
  const res = await request(`${url}/health/ready`);
  return { status: res.statusCode, body: (await res.body.json()) as Readiness['body'] };
}

/** Polls /health/ready (at most `attempts` times, 100 ms apart) until the predicate holds; returns the last answer. */
export async function readinessUntil(url: string, done: (r: Readiness) => boolean, attempts = 300): Promise<Readiness> {
  let last = await readiness(url);
  for (let i = 0; i < attempts && !done(last); i++) {
    await new Promise((r) => setTimeout(r, 100));
    last = await readiness(url);
  }
  return last;
}

/** One consumer system subscribed in sandbox to `directory v1` (GET /organisations, GET /slow) served by the upstream. */
export async function seedDirectory(db: LgspDb, upstream: string, consumerId = `gw-${randomUUID()}`): Promise<string> {
  await applyDeclarativeConfig(
    db,
    {
      source: 'gateway process test',
      admins: [],
      consumers: [{ id: consumerId, name: 'Gateway process test', credentials: [], certificates: [], subscriptions: [{ api: 'directory', version: 'v1', environments: ['sandbox'] }] }],
      apis: [
        {
          domain: 'directory',
          version: 'v1',
          upstreams: { sandbox: upstream, production: upstream },
          openapi: {
            openapi: '3.0.3',
            info: { title: 'directory', version: '1' },
            paths: {
              '/organisations': { get: { responses: { '200': { description: 'ok' } } } },
              '/slow': { get: { responses: { '200': { description: 'ok' } } } },
            },
          },
          classification: 'noi-bo',
          status: 'published',
        },
      ],
    },
    { pepper: PEPPER },
  );
  return consumerId;
}
