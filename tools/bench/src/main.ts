import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

import autocannon from 'autocannon';
import { request } from 'undici';

import { BENCH_CLIENT_ID, BENCH_CLIENT_SECRET } from './servers/bench-client.constant';

/**
 * `npm run bench`: the same autocannon load on a fixed-response upstream directly, on a bare
 * fastify + undici proxy in front of it, and on the LGSP gateway in front of it — each server in
 * its own process, measured one after the other in one run. Arguments: seconds per target
 * (default 10), connections (default 50).
 */
const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const ROOT = resolve(__dirname, '../../..');
const RUN_TS = resolve(ROOT, 'tools/scripts/run-ts.mjs');

interface Started {
  url: string;
  child: ChildProcess;
}

function startServer(file: string, args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [RUN_TS, resolve(__dirname, 'servers', file), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^READY \S+ (\S+)$/.exec(line);
      if (match) resolvePromise({ url: match[1], child });
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready`)));
  });
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  non2xx: number;
}

const BASIC = `Basic ${Buffer.from(`${BENCH_CLIENT_ID}:${BENCH_CLIENT_SECRET}`).toString('base64')}`;

async function tokenFrom(base: string): Promise<string> {
  const res = await request(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  if (res.statusCode !== 200) throw new Error(`token endpoint answered ${res.statusCode}: ${await res.body.text()}`);
  return ((await res.body.json()) as { access_token: string }).access_token;
}

interface LoadOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

async function load(name: string, url: string, options: LoadOptions = {}): Promise<Row> {
  const run = (duration: number) =>
    autocannon({
      url,
      connections: CONNECTIONS,
      duration,
      method: options.method ?? 'GET',
      body: options.body,
      headers: { ...options.headers, 'x-request-id': randomUUID() },
      requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'x-request-id': randomUUID() } }) }],
    });
  await run(2); // warm up: JIT, pools, caches
  const result = await run(SECONDS);
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function table(rows: Row[]): string {
  const direct = rows[0];
  const bare = rows.find((r) => r.name.includes('bare'));
  const proxied = (r: Row) => r !== direct && !r.name.includes('token endpoint');
  const header = '| target | req/s | p50 ms | p90 ms | p99 ms | added p50 ms | vs bare proxy | errors | non-2xx |';
  const lines = rows.map(
    (r) =>
      `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.p99.toFixed(2)} | ${proxied(r) ? (r.p50 - direct.p50).toFixed(2) : '—'} | ${bare && proxied(r) ? `${((100 * r.rps) / bare.rps).toFixed(0)}%` : '—'} | ${r.errors} | ${r.non2xx} |`,
  );
  return [header, '|---|---:|---:|---:|---:|---:|---:|---:|---:|', ...lines].join('\n');
}

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  try {
    const upstream = await startServer('fixed-upstream.server.ts', []);
    children.push(upstream.child);
    const bare = await startServer('bare-proxy.server.ts', [upstream.url]);
    children.push(bare.child);
    const lgsp = await startServer('lgsp-gateway.server.ts', [upstream.url]);
    children.push(lgsp.child);
    const rows: Row[] = [];
    rows.push(await load('1. upstream directly', `${upstream.url}/organisations`));
    rows.push(await load('2. bare fastify + undici proxy', `${bare.url}/organisations`));
    const token = await tokenFrom(lgsp.url);
    rows.push(await load('3. LGSP read chain (request id, token check, routing, throttle, proxy, ledger, access log)', `${lgsp.url}/v1/bench/organisations`, { headers: { authorization: `Bearer ${token}` } }));
    rows.push(
      await load('4. LGSP token endpoint (client_secret_basic, ES256 token)', `${lgsp.url}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      }),
    );
    process.stdout.write(`\nLGSP benchmark — ${CONNECTIONS} connections, ${SECONDS} s per target, Node ${process.version}, ${cpus().length} cores\n\n${table(rows)}\n`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
}

void main();
