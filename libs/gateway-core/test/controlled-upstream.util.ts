import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ControlledRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** 1 for the first request on its connection, 2 for the next on the same kept-alive socket, ... */
  readonly onSocket: number;
  /** Resolves once the exchange is over: true when the gateway went away before the answer was complete. */
  readonly abandoned: Promise<boolean>;
}

export type Behaviour = (request: IncomingMessage, response: ServerResponse, seen: ControlledRequest) => void;

export const answerJson: Behaviour = (request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ path: request.url }));
};

/**
 * A provider the test drives: each request is recorded (with its place on its connection) and
 * handled by the current `behave`, which may answer, hold the answer, or destroy the connection.
 */
export class ControlledUpstream {
  readonly seen: ControlledRequest[] = [];
  behave: Behaviour = answerJson;
  private readonly perSocket = new WeakMap<Socket, number>();
  private readonly arrivals: ((request: ControlledRequest) => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ControlledUpstream> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const upstream = new ControlledUpstream(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => upstream.receive(request, response));
    return upstream;
  }

  /** The requests received with this X-Request-ID. */
  withRequestId(requestId: string): ControlledRequest[] {
    return this.seen.filter((r) => r.headers['x-request-id'] === requestId);
  }

  /** Resolves with the next request the upstream receives. */
  nextArrival(): Promise<ControlledRequest> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private receive(request: IncomingMessage, response: ServerResponse): void {
    const onSocket = (this.perSocket.get(request.socket) ?? 0) + 1;
    this.perSocket.set(request.socket, onSocket);
    const abandoned = new Promise<boolean>((resolve) => response.once('close', () => resolve(!response.writableFinished)));
    const seen: ControlledRequest = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, onSocket, abandoned };
    this.seen.push(seen);
    request.resume();
    this.behave(request, response, seen);
    for (const arrival of this.arrivals.splice(0)) arrival(seen);
  }
}
