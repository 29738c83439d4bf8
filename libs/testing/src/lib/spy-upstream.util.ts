import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A provider that records what it received and answers by path: /slow waits a second, /echo sends
 * the body back, /chunked streams without a length, /empty answers 204, /problem answers its own
 * 404 problem+json, anything else answers JSON naming the path it got.
 */
export interface SpyUpstream {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startSpyUpstream(): Promise<SpyUpstream> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      if (path.endsWith('/slow')) {
        setTimeout(() => res.end('late'), 1000).unref();
        return;
      }
      if (path.endsWith('/echo')) {
        res.writeHead(201, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream', 'x-provider': 'spy', connection: 'keep-alive' });
        res.end(body);
        return;
      }
      if (path.endsWith('/chunked')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('abc');
        res.end('def');
        return;
      }
      if (path.endsWith('/problem')) {
        res.writeHead(404, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ type: 'about:blank', title: 'No such record', status: 404 }));
        return;
      }
      if (path.endsWith('/empty')) {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'provider-should-not-win' });
      res.end(JSON.stringify({ path: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
