import { Agent, createServer, request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Largest request body the balancer holds (it buffers bodies so a refused connection can be retried); above the gateway's default LGSP_MAX_BODY_BYTES. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const HEALTH_INTERVAL_MS = 1000;
const HEALTH_TIMEOUT_MS = 1000;
const UPSTREAM_TIMEOUT_MS = 60_000;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);
/** The OAuth endpoints and discovery documents go to IAM, as docker/nginx/nginx.conf does. */
const IAM_PREFIXES = ['/oauth2/', '/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];

export interface BalancerTarget {
  readonly name: string;
  /** http://host:port */
  readonly url: string;
}

export interface LoadBalancerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
}

interface Replica extends BalancerTarget {
  readonly hostname: string;
  readonly port: number;
  agent: Agent;
  healthy: boolean;
  checking: boolean;
}

/**
 * The cluster script's load balancer: a small node:http reverse proxy, round-robin over the gateway
 * replicas that answer `/health/ready` (checked every second), the OAuth endpoints to IAM. It adds
 * X-Forwarded-For and X-Forwarded-Proto, keeps connections to the replicas alive, and moves to the
 * next replica only when a connection could not be opened (nothing was sent, so nothing can have
 * been done twice); a replica that fails once is taken out until its next good health check.
 */
export class LoadBalancer {
  private readonly server: Server;
  private replicas: Replica[] = [];
  private iam?: Replica;
  private next = 0;
  private timer?: NodeJS.Timeout;
  private readonly sockets = new Set<Socket>();
  private closed = false;

  private constructor(
    server: Server,
    /** http://host:port the balancer listens on. */
    readonly url: string,
  ) {
    this.server = server;
  }

  static async listen(options: LoadBalancerOptions): Promise<LoadBalancer> {
    const server = createServer();
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const balancer = new LoadBalancer(server, `http://${host.includes(':') ? `[${host}]` : host}:${port}`);
    server.on('request', (req, res) => balancer.handle(req, res));
    server.on('connection', (socket: Socket) => {
      balancer.sockets.add(socket);
      socket.once('close', () => balancer.sockets.delete(socket));
    });
    // Shorter than the gateways' LGSP_KEEP_ALIVE_TIMEOUT_MS (72 s): the balancer closes first.
    server.keepAliveTimeout = 60_000;
    return balancer;
  }

  /** The gateway replicas to balance over (health-checked from now on) and IAM. */
  setTargets(gateways: readonly BalancerTarget[], iam: BalancerTarget): void {
    this.replicas = gateways.map((target) => replicaOf(target));
    this.iam = { ...replicaOf(iam), healthy: true };
    clearInterval(this.timer);
    this.timer = setInterval(() => this.checkAll(), HEALTH_INTERVAL_MS);
    this.timer.unref();
    this.checkAll();
  }

  /** The names of the replicas currently taking traffic. */
  healthy(): string[] {
    return this.replicas.filter((r) => r.healthy).map((r) => r.name);
  }

  /** Resolves once every replica has passed a health check (or rejects after the timeout). */
  async waitUntilAllHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.replicas.some((r) => !r.healthy)) {
      if (Date.now() > deadline) throw new Error(`the balancer's health checks still fail for ${this.replicas.filter((r) => !r.healthy).map((r) => r.name).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops accepting, closes idle and then every client connection, and the connections to the replicas. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    for (const socket of this.sockets) socket.destroy();
    await closing;
    for (const replica of [...this.replicas, ...(this.iam === undefined ? [] : [this.iam])]) replica.agent.destroy();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    if (path === '/metrics') {
      // Each replica's metrics are scraped from it directly, never through the public URL.
      problem(res, req, 404, 'not_found', 'Not found', 'Scrape /metrics from each service directly.');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        problem(res, req, 413, 'payload_too_large', 'Payload too large', `The balancer accepts bodies up to ${MAX_BODY_BYTES} bytes.`);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const body = Buffer.concat(chunks);
      if (this.iam !== undefined && IAM_PREFIXES.some((prefix) => path.startsWith(prefix))) {
        this.forward(req, res, body, [this.iam]);
        return;
      }
      this.forward(req, res, body, this.rotation());
    });
    req.on('error', () => res.destroy());
  }

  /** The healthy replicas, starting with the next one's turn. */
  private rotation(): Replica[] {
    const healthy = this.replicas.filter((r) => r.healthy);
    if (healthy.length === 0) return [];
    const start = this.next++ % healthy.length;
    if (this.next > Number.MAX_SAFE_INTEGER / 2) this.next = 0;
    return [...healthy.slice(start), ...healthy.slice(0, start)];
  }

  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer, candidates: Replica[]): void {
    const target = candidates[0];
    if (target === undefined) {
      problem(res, req, 503, 'upstream_unavailable', 'No gateway replica available', 'Every gateway replica fails its health check.');
      return;
    }
    let connected = false;
    const upstream = request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req, body.length),
      agent: target.agent,
      timeout: UPSTREAM_TIMEOUT_MS,
    });
    upstream.on('socket', (socket: Socket) => {
      // A kept-alive socket is connected already; a new one once it has connected.
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, stripHopByHop(answer.headers));
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      target.healthy = false;
      // Nothing reached the replica: the next one may take it. Otherwise it may have been served.
      if (!connected && candidates.length > 1) {
        this.forward(req, res, body, candidates.slice(1));
        return;
      }
      res.setHeader('x-lgsp-balancer-replica', target.name);
      problem(res, req, 502, 'upstream_unavailable', 'Bad gateway', `${target.name} failed before answering.`);
    });
    upstream.end(body);
  }

  private checkAll(): void {
    for (const replica of this.replicas) {
      if (replica.checking) continue;
      replica.checking = true;
      void check(replica).then((ok) => {
        replica.checking = false;
        if (this.closed) return;
        if (!ok && replica.healthy) {
          // Its idle connections are probably dead too.
          replica.agent.destroy();
          replica.agent = newAgent();
        }
        replica.healthy = ok;
      });
    }
  }
}

function newAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });
}

function replicaOf(target: BalancerTarget): Replica {
  const url = new URL(target.url);
  return { ...target, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port), agent: newAgent(), healthy: false, checking: false };
}

function check(replica: Replica): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = request({ host: replica.hostname, port: replica.port, path: '/health/ready', method: 'GET', agent: replica.agent, timeout: HEALTH_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    probe.on('timeout', () => probe.destroy(new Error('health check timeout')));
    probe.on('error', () => resolve(false));
    probe.end();
  });
}

function forwardedHeaders(req: IncomingMessage, bodyLength: number): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = stripHopByHop(req.headers);
  headers['host'] = req.headers.host;
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior === undefined ? client : `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}`;
  headers['x-forwarded-proto'] = 'http';
  if (bodyLength > 0 || req.headers['content-length'] !== undefined) headers['content-length'] = String(bodyLength);
  return headers;
}

function stripHopByHop(source: IncomingHttpHeaders): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(source)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  return headers;
}

/** The balancer's own answers: RFC 9457 problem+json, with the caller's X-Request-ID when it sent one. */
function problem(res: ServerResponse, req: IncomingMessage, status: number, code: string, title: string, detail: string): void {
  if (res.headersSent) return;
  const requestId = req.headers['x-request-id'];
  const body = JSON.stringify({ type: `urn:lgsp:problem:${code}`, title, status, code, detail, ...(typeof requestId === 'string' && { requestId }) });
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
