import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query string, as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body, '' when none was sent. */
  readonly body: string;
}

export interface FakeAnswer {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON (application/json unless headers say otherwise); a string as is. */
  readonly body?: unknown;
}

export interface FakeHttpServer {
  /** http://127.0.0.1:<ephemeral port> */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** How the next requests are answered (default: 200 {"ok":true}). */
  answer(respond: (request: RecordedRequest) => FakeAnswer): void;
  close(): Promise<void>;
}

/** A local HTTP server that records every request and answers as a test tells it to. */
export async function startFakeHttpServer(): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = [];
  let respond: (request: RecordedRequest) => FakeAnswer = () => ({ body: { ok: true } });
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: RecordedRequest = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const answer = respond(request);
      const json = answer.body !== undefined && typeof answer.body !== 'string';
      const payload = answer.body === undefined ? '' : json ? JSON.stringify(answer.body) : String(answer.body);
      outgoing.writeHead(answer.status ?? 200, { ...(json && { 'content-type': 'application/json; charset=utf-8' }), ...answer.headers });
      outgoing.end(payload);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (next) => void (respond = next),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // fetch keeps its connections alive; close would wait for them.
        server.closeAllConnections();
      }),
  };
}
