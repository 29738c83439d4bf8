import type { Environment } from '@lgsp/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { GatewayContext } from '../src/lib/chain/gateway-context.type';
import type { RegistryBlock } from '../src/lib/routing/route-block';
import type { RoutableApiVersion, RouteTableInput } from '../src/lib/routing/route-table';
import { RouteTable } from '../src/lib/routing/route-table';

export const PUBLIC_URL = 'https://api.lgsp.example.gov.vn';

/** Operations of a test document: path → method → extra operation fields (x-lgsp-classification). */
export type TestPaths = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;

/** A minimal OpenAPI 3.0 document describing exactly the operations given. */
export function openApiDocument(paths: TestPaths, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'test provider', version: '1.0.0' },
    paths: Object.fromEntries(
      Object.entries(paths).map(([path, methods]) => [
        path,
        Object.fromEntries(Object.entries(methods).map(([method, fields]) => [method, { responses: { '200': { description: 'ok' } }, ...fields }])),
      ]),
    ),
    ...extra,
  };
}

export const PERSONS_API = openApiDocument({
  '/persons': { get: {}, post: {} },
  '/persons/{id}': { get: {}, delete: {} },
  '/persons/{id}/dossier': { get: { 'x-lgsp-classification': 'mat' } },
});

export function apiVersion(domain: string, extra: Partial<RoutableApiVersion> = {}): RoutableApiVersion {
  return {
    id: `${domain}-${extra.version ?? 'v1'}`,
    domain,
    version: 'v1',
    kind: 'rest',
    status: 'published',
    classification: 'noi-bo',
    upstreams: { sandbox: 'http://127.0.0.1:9100', production: 'https://provider.example.gov.vn' },
    openapi: PERSONS_API,
    ...extra,
  };
}

export function block(scope: RegistryBlock['scope'], target: Partial<RegistryBlock>, window: { startsAt: number; endsAt?: number }, reason = 'Bảo trì hệ thống'): RegistryBlock {
  return {
    id: `block-${scope}-${Math.random().toString(36).slice(2)}`,
    scope,
    reason,
    startsAt: new Date(window.startsAt).toISOString(),
    ...(window.endsAt !== undefined && { endsAt: new Date(window.endsAt).toISOString() }),
    ...target,
  };
}

export function tableOf(input: Partial<RouteTableInput>): RouteTable {
  return RouteTable.build({ apiVersions: [], consumers: [], subscriptions: [], blocks: [], ...input }, { publicUrl: PUBLIC_URL });
}

export interface TestCall {
  readonly context: GatewayContext;
  /** What the policies set on the reply. */
  readonly headers: Map<string, string>;
}

/** A request as the chain sees it once the earlier phases ran: path, method, and (optionally) the authenticated consumer. */
export function callOf(method: string, path: string, auth: { consumerId?: string; environment?: Environment } = {}): TestCall {
  const headers = new Map<string, string>();
  const reply = {
    header(name: string, value: string) {
      headers.set(name, value);
      return reply;
    },
  };
  const context: GatewayContext = {
    request: { method, headers: {} } as FastifyRequest,
    reply: reply as unknown as FastifyReply,
    transactionId: 'transaction',
    receivedAt: 0,
    path,
    query: '',
    consumerId: auth.consumerId,
    environment: auth.environment,
    bytesIn: 0,
  };
  return { context, headers };
}
