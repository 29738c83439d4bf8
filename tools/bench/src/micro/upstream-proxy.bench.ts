import type { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BackendJwtSigner, CircuitBreaker, CircuitBreakerSettings, UpstreamDeadline, loadBackendJwtKey } from '@lgsp/gateway-core';
import { Pool } from 'undici';

/**
 * The proxy step's own costs and precision:
 * 1. how late a 2 s upstream timeout fires, undici's headersTimeout against the gateway's deadline
 *    (a provider that never answers; starts staggered across undici's coarse timer tick);
 * 2. per call: the deadline against an AbortController, the circuit check, the backend JWT from
 *    its cache against signing one.
 * Run: node tools/scripts/run-ts.mjs tools/bench/src/micro/upstream-proxy.bench.ts [runs] [timeoutMs]
 */
async function timeoutPrecision(runs: number, timeoutMs: number): Promise<void> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 2 * runs });
  const measure = async (kind: 'undici headersTimeout' | 'gateway deadline'): Promise<number[]> => {
    const late: number[] = [];
    for (let i = 0; i < runs; i++) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 600));
      const started = performance.now();
      const deadline = new UpstreamDeadline(timeoutMs);
      const options =
        kind === 'undici headersTimeout'
          ? { method: 'GET' as const, path: '/', headersTimeout: timeoutMs }
          : { method: 'GET' as const, path: '/', headersTimeout: 0, signal: deadline as unknown as EventEmitter };
      await pool.request(options).then(
        () => undefined,
        () => late.push(performance.now() - started - timeoutMs),
      );
      deadline.clear();
    }
    return late.sort((a, b) => a - b);
  };
  const kinds = ['undici headersTimeout', 'gateway deadline'] as const;
  const results = await Promise.all(kinds.map((kind) => measure(kind)));
  process.stdout.write(`\nUpstream timeout of ${timeoutMs} ms, ${runs} calls each (Node ${process.version}): ms after the deadline\n\n| timer | min | p50 | max |\n|---|---:|---:|---:|\n`);
  kinds.forEach((kind, i) => {
    const late = results[i];
    process.stdout.write(`| ${kind} | ${late[0].toFixed(1)} | ${late[Math.floor(late.length / 2)].toFixed(1)} | ${late[late.length - 1].toFixed(1)} |\n`);
  });
  await pool.destroy();
  server.closeAllConnections();
  server.close();
}

async function perCall(): Promise<void> {
  const { Bench } = await import('tinybench');
  const dir = await mkdtemp(join(tmpdir(), 'lgsp-bench-'));
  // A stopped clock: the first JWT stays fresh for the whole run.
  const stopped = Date.now();
  const signer = new BackendJwtSigner(await loadBackendJwtKey({ dataDir: dir }), { issuer: 'https://api.lgsp.example', clock: () => stopped });
  // A clock a minute on at each call: every call signs.
  let now = Date.now();
  const uncached = new BackendJwtSigner(await loadBackendJwtKey({ dataDir: dir }), { issuer: 'https://api.lgsp.example', clock: () => (now += 60_000) });
  const breaker = new CircuitBreaker('http://provider.example', new CircuitBreakerSettings({ failureThreshold: 5, openMs: 30_000 }));
  const listener = () => undefined;
  await signer.jwtFor('tu-ha-noi.qlcb', 'demo-consumer', 'sandbox', 'http://provider.example');

  const bench = new Bench({ time: 2000, warmup: true });
  bench
    .add('deadline: UpstreamDeadline (timer + listener)', () => {
      const deadline = new UpstreamDeadline(2000);
      deadline.once('abort', listener);
      deadline.removeListener('abort', listener);
      deadline.clear();
    })
    .add('deadline: AbortController + setTimeout', () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 2000);
      controller.signal.addEventListener('abort', listener, { once: true });
      controller.signal.removeEventListener('abort', listener);
      clearTimeout(timer);
    })
    .add('circuit check and report (closed)', () => {
      breaker.succeeded(breaker.admit() as number);
    })
    .add('backend JWT from the cache', () => {
      const jwt = signer.jwtFor('tu-ha-noi.qlcb', 'demo-consumer', 'sandbox', 'http://provider.example');
      if (typeof jwt !== 'string') throw new Error('not cached');
    })
    .add('backend JWT signed (ES256, cache miss)', async () => {
      await uncached.jwtFor('tu-ha-noi.qlcb', 'demo-consumer', 'sandbox', 'http://provider.example');
    });
  await bench.run();
  process.stdout.write(`\nProxy step per call (Node ${process.version})\n\n| step | ops/s | mean µs | p99 µs |\n|---|---:|---:|---:|\n`);
  for (const task of bench.tasks) {
    const result = task.result;
    if (result?.state !== 'completed') throw new Error(`${task.name}: ${result?.state ?? 'not run'}`);
    process.stdout.write(`| ${task.name} | ${Math.round(result.throughput.mean)} | ${(result.latency.mean * 1000).toFixed(3)} | ${(result.latency.p99 * 1000).toFixed(3)} |\n`);
  }
  await rm(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  await timeoutPrecision(Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 2000));
  await perCall();
}

void main();
