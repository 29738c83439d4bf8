import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir } from 'node:fs/promises';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';

import { SYSLOG_SD_ID } from '@lgsp/ledger';

import { Client, errors } from '@elastic/elasticsearch';
import Mock from '@elastic/elasticsearch-mock';

const WORKSPACE = join(__dirname, '..', '..', '..');

/** A request the spy provider received. */
export interface ProviderRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface SpyProvider {
  readonly url: string;
  readonly seen: ProviderRequest[];
  close(): Promise<void>;
}

/**
 * A provider that answers by the last path segment: `fail` → 500, `canary` → 200 carrying the given
 * marker in its body and in a response header, a POST → 201 echoing nothing, anything else → 200
 * JSON naming the path.
 */
export async function startSpyProvider(canary: { body: string; header: string }): Promise<SpyProvider> {
  const seen: ProviderRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const path = (req.url ?? '').split('?')[0];
      if (path.endsWith('/fail')) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"provider failure"}');
      } else if (path.endsWith('/canary')) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-provider-secret': canary.header }).end(JSON.stringify({ secret: canary.body }));
      } else if (req.method === 'POST') {
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"created":true}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path }));
      }
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

/** One RFC 5424 message as the collector parsed it. */
export interface SyslogFrame {
  readonly raw: string;
  readonly pri: number;
  readonly event: string;
  /** The lgsp@… structured data's parameters. */
  readonly params: Readonly<Record<string, string>>;
}

export interface SyslogCollector {
  readonly url: string;
  readonly frames: SyslogFrame[];
  /** Bytes that did not make a whole frame (must stay empty). */
  leftover(): number;
  close(): Promise<void>;
}

const SYSLOG_MESSAGE = /^<(\d{1,3})>1 \S+ \S+ lgsp - (\S+) \[(\S+)((?: [A-Za-z]+="(?:[^"\\\]]|\\.)*")*)\] .+$/s;
const SD_PARAM = / ([A-Za-z]+)="((?:[^"\\\]]|\\.)*)"/g;

function parseSyslogMessage(raw: string): SyslogFrame {
  const match = SYSLOG_MESSAGE.exec(raw);
  if (match === null) throw new Error(`not an RFC 5424 message of the ledger: ${raw}`);
  if (match[3] !== SYSLOG_SD_ID) throw new Error(`unexpected SD-ID ${match[3]}`);
  const params: Record<string, string> = {};
  for (const param of match[4].matchAll(SD_PARAM)) params[param[1]] = param[2].replace(/\\(.)/g, '$1');
  return { raw, pri: Number(match[1]), event: match[2], params };
}

/** A TCP syslog collector reading octet-counted frames (RFC 6587 §3.4.1: `MSG-LEN SP SYSLOG-MSG`). */
export async function startSyslogCollector(): Promise<SyslogCollector> {
  const frames: SyslogFrame[] = [];
  const sockets = new Set<Socket>();
  let pending = 0;
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const space = buffer.indexOf(0x20);
        if (space === -1) break;
        const length = Number(buffer.subarray(0, space).toString('ascii'));
        if (!Number.isInteger(length) || length < 1) throw new Error(`bad syslog frame length: ${buffer.subarray(0, space).toString('ascii')}`);
        if (buffer.length < space + 1 + length) break;
        frames.push(parseSyslogMessage(buffer.subarray(space + 1, space + 1 + length).toString('utf8')));
        buffer = buffer.subarray(space + 1 + length);
      }
      pending = buffer.length;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `tcp://127.0.0.1:${port}`,
    frames,
    leftover: () => pending,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A request the ledger's Elasticsearch client sent, with its body as the client serialised it. */
export interface ElasticsearchRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

function notFound(type: string): errors.ResponseError {
  const body = { error: { type, reason: 'not found' }, status: 404 };
  return new errors.ResponseError({ body, statusCode: 404, headers: {}, warnings: null, meta: {} as never });
}

/**
 * Elasticsearch as the ledger store's set-up and bulk writes see it (@elastic/elasticsearch-mock):
 * nothing exists yet, every create succeeds; every request is kept with its body as text, the bulk
 * requests being what would leave the platform for the cluster.
 */
export class CapturingElasticsearch {
  readonly requests: ElasticsearchRequest[] = [];
  private readonly mock = new Mock();

  constructor() {
    const keep = (params: { method: string; path: string; body?: unknown }): void => {
      const body = params.body === undefined || params.body === null ? '' : typeof params.body === 'string' ? params.body : JSON.stringify(params.body);
      this.requests.push({ method: params.method, path: params.path, body });
    };
    const route = (method: string, path: string, answer: (params: { method: string; path: string; body?: unknown }) => unknown): void => {
      this.mock.add({ method, path } as never, (params) => {
        const p = params as unknown as { method: string; path: string; body?: unknown };
        keep(p);
        return answer(p) as Record<string, unknown>;
      });
    };
    route('GET', '/_ilm/policy/:name', () => notFound('resource_not_found_exception'));
    route('GET', '/_index_template/:name', () => notFound('resource_not_found_exception'));
    route('GET', '/_data_stream/:name', () => notFound('index_not_found_exception'));
    route('HEAD', '/:index', () => notFound('index_not_found_exception'));
    for (const path of ['/_ilm/policy/:name', '/_index_template/:name', '/_data_stream/:name', '/:index']) route('PUT', path, () => ({ acknowledged: true }));
    route('POST', '/_bulk', ({ body }) => {
      const lines = (Array.isArray(body) ? body : String(body).split('\n').filter((line) => line !== '').map((line) => JSON.parse(line))) as Record<string, { _index: string; _id: string }>[];
      const items = lines.filter((_, i) => i % 2 === 0).map((line) => ({ create: { _index: line['create']._index, _id: line['create']._id, status: 201, result: 'created' } }));
      return { errors: false, took: 1, items };
    });
  }

  client(): Client {
    return new Client({ node: 'http://localhost:9200', Connection: this.mock.getConnection(), maxRetries: 0 });
  }

  /** The bodies of the bulk requests: what leaves the platform for the cluster. */
  get bulkBodies(): string[] {
    return this.requests.filter((request) => request.path === '/_bulk').map((request) => request.body);
  }

  /** The `create` actions of every bulk request, in order. */
  get bulkCreates(): { _index: string; _id: string }[] {
    return this.bulkBodies.flatMap((body) => {
      const lines = (body.startsWith('[') ? JSON.parse(body) : body.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line))) as Record<string, { _index: string; _id: string }>[];
      return lines.filter((_, i) => i % 2 === 0).map((line) => line['create']);
    });
  }
}

/** Every regular file under a directory, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** Each file's bytes, for searching. */
export async function fileContents(dirs: readonly string[]): Promise<{ path: string; bytes: Buffer }[]> {
  const contents: { path: string; bytes: Buffer }[] = [];
  for (const dir of dirs) for (const path of await filesUnder(dir)) contents.push({ path, bytes: await readFile(path) });
  return contents;
}

/** `lgsp <args>` (tools/cli) as an operator runs it, with exactly the environment given (PATH included). */
export async function runLgsp(args: readonly string[], env: Readonly<Record<string, string>>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(WORKSPACE, 'tools', 'cli', 'bin', 'lgsp.mjs'), ...args], { cwd: WORKSPACE, env: { ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Polls until the check returns a value (not undefined); gives up after `attempts` tries 100 ms apart. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, attempts = 300): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not reached after ${attempts} attempts`);
}
