import Fastify from 'fastify';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

import { announce } from './ready.util';

/** The floor for a Node gateway: fastify in, undici out, nothing in between. */
const upstream = process.argv[2];
const pool = new Pool(upstream, { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 });
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.all('/*', async (request, reply) => {
  const { statusCode, headers, body } = await pool.request({
    method: request.method as Dispatcher.HttpMethod,
    path: request.raw.url ?? '/',
    headers: { 'x-request-id': String(request.headers['x-request-id'] ?? '') },
    body: (request.body as Buffer | undefined) ?? null,
  });
  reply.status(statusCode).header('content-type', headers['content-type']);
  return reply.send(body);
});
app.listen({ port: 0, host: '127.0.0.1' }).then(() => announce(app.server, 'bare-proxy'));
