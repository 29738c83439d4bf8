import type { AddressInfo } from 'node:net';

import { ENVIRONMENTS } from '@lgsp/contracts';
import type { Environment } from '@lgsp/contracts';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';

import type { GatewayContext } from '../../src/lib/chain/gateway-context.type';
import type { PolicyDependencies } from '../../src/lib/chain/gateway-policy.type';
import type { ApiRoute } from '../../src/lib/routing/route-table';
import { throttlePolicy } from '../../src/lib/policies/throttle';
import type { ThrottleDependencies } from '../../src/lib/policies/throttle';

export const CONSUMER_HEADER = 'x-test-consumer';
export const ENVIRONMENT_HEADER = 'x-test-environment';
export const VERSION_HEADER = 'x-test-api-version';

export interface ThrottleTestServer {
  readonly url: string;
  readonly fastify: FastifyInstance;
  close(): Promise<void>;
}

/**
 * A gateway cut down to the throttle: authentication's outcome comes from test headers (consumer,
 * environment, API version), the throttle policy runs as in the chain, an admitted request is
 * answered 200 and a refusal with its status, headers and code.
 */
export async function startThrottleTestServer(throttle: ThrottleDependencies): Promise<ThrottleTestServer> {
  const handler = throttlePolicy.create({}, { throttle } as unknown as PolicyDependencies);
  const fastify = Fastify();
  fastify.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/*',
    handler: async (request, reply) => {
      const consumer = request.headers[CONSUMER_HEADER];
      const environment = request.headers[ENVIRONMENT_HEADER] ?? 'production';
      const version = request.headers[VERSION_HEADER];
      const context: GatewayContext = {
        request,
        reply,
        transactionId: String(request.id),
        receivedAt: Date.now(),
        path: request.url,
        query: '',
        consumerId: typeof consumer === 'string' ? consumer : undefined,
        environment: ENVIRONMENTS.includes(environment as Environment) ? (environment as Environment) : undefined,
        route: typeof version === 'string' ? ({ apiVersionId: version } as ApiRoute) : undefined,
        bytesIn: 0,
      };
      const refusal = await handler.handle(context);
      if (refusal === undefined) return reply.send({ ok: true });
      return reply
        .status(refusal.status)
        .headers(refusal.headers ?? {})
        .send({ code: refusal.code });
    },
  });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const { port } = fastify.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, fastify, close: () => fastify.close() };
}
