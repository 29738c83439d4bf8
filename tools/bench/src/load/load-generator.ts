import { randomUUID } from 'node:crypto';

import { Header } from '@lgsp/contracts';
import autocannon from 'autocannon';
import { Pool } from 'undici';

import type { LoadResult, LoadSpec, RequestTemplate } from './load-spec.type';
import { RESULT_PREFIX } from './load-spec.type';
import { RequestSigner } from './request-signer.util';

/**
 * The load generator, run by the benchmark runner as a child process of its own (pinned to its own
 * core when taskset exists): a warm-up, then the measured run, then one RESULT line on stdout.
 *   node tools/scripts/run-ts.mjs tools/bench/src/load/load-generator.ts '<LoadSpec as JSON>'
 * Every request gets a fresh X-Request-ID (and, when signed, its own signature). Latency is taken
 * per response from autocannon's hrtime measure, so percentiles keep sub-millisecond precision.
 */
async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  const signer = spec.signing === undefined ? undefined : await RequestSigner.create(spec.signing);
  if (spec.overallRate !== undefined) return openLoop(spec, spec.overallRate, signer);
  const requests = spec.requests.map((template) => toAutocannonRequest(spec.signing?.origin ?? spec.url, template, signer));
  const run = (duration: number, latencies?: number[]) =>
    new Promise<autocannon.Result>((resolveRun, reject) => {
      const instance = autocannon(
        { url: spec.url, connections: spec.connections, duration, requests, ...(spec.overallRate !== undefined && { overallRate: spec.overallRate }) },
        (error, result) => (error ? reject(error) : resolveRun(result)),
      );
      if (latencies) instance.on('response', (_client, _status, _bytes, responseTime: number) => latencies.push(responseTime));
    });
  if (spec.warmupSeconds > 0) await run(spec.warmupSeconds);
  const latencies: number[] = [];
  const result = await run(spec.durationSeconds, latencies);
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(summary(result, latencies))}\n`);
}

/**
 * A steady rate, open loop: request i is due at start + i / rate, whatever happened to the others
 * (autocannon's `overallRate` sends each connection's share of a second back to back at the start of
 * the second, which measures bursts, not a rate). Up to `connections` requests are in flight on
 * keep-alive connections; a due request waits for a free one. Latency runs from the moment the
 * request was due, so a server that falls behind is charged the wait (no coordinated omission).
 */
async function openLoop(spec: LoadSpec, rate: number, signer: RequestSigner | undefined): Promise<void> {
  const origin = spec.signing?.origin ?? spec.url;
  const pool = new Pool(spec.url, { connections: spec.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const run = async (seconds: number, measured: boolean): Promise<LoadResult> => {
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    let errors = 0;
    let non2xx = 0;
    const total = Math.round(seconds * rate);
    const start = performance.now();
    let sent = 0;
    const inFlight = new Set<Promise<void>>();
    const send = (i: number, dueAt: number): void => {
      const template = spec.requests[i % spec.requests.length];
      const body = template.body === undefined ? undefined : Buffer.from(template.body);
      const headers: Record<string, string> = { ...template.headers, [Header.requestId]: randomUUID() };
      if (template.body !== undefined) headers['content-length'] = String(body!.length);
      if (template.signed && signer) Object.assign(headers, signer.sign({ method: template.method, url: `${origin}${template.path}`, headers, body }).headers);
      const call = pool
        .request({ method: template.method, path: template.path, headers, body })
        .then(async (response) => {
          await response.body.dump();
          if (!measured) return;
          latencies.push(performance.now() - dueAt);
          if (response.statusCode < 200 || response.statusCode > 299) {
            non2xx += 1;
            statuses[String(response.statusCode)] = (statuses[String(response.statusCode)] ?? 0) + 1;
          }
        })
        .catch(() => {
          if (measured) errors += 1;
        })
        .finally(() => inFlight.delete(call));
      inFlight.add(call);
    };
    await new Promise<void>((done) => {
      const tick = (): void => {
        const now = performance.now();
        const due = Math.min(total, Math.floor(((now - start) * rate) / 1000) + 1);
        while (sent < due) {
          send(sent, start + (sent * 1000) / rate);
          sent += 1;
        }
        if (sent >= total) done();
        else setTimeout(tick, Math.max(0, start + (sent * 1000) / rate - performance.now()));
      };
      tick();
    });
    await Promise.all(inFlight);
    const elapsed = (performance.now() - start) / 1000;
    const sorted = Float64Array.from(latencies).sort();
    const at = (q: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
    return { rps: latencies.length / elapsed, p50: at(0.5), p95: at(0.95), p99: at(0.99), responses: latencies.length, errors, non2xx, statuses };
  };
  if (spec.warmupSeconds > 0) await run(spec.warmupSeconds, false);
  const result = await run(spec.durationSeconds, true);
  await pool.close();
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

function toAutocannonRequest(origin: string, template: RequestTemplate, signer: RequestSigner | undefined): autocannon.Request {
  const body = template.body === undefined ? undefined : Buffer.from(template.body);
  return {
    method: template.method,
    path: template.path,
    body: template.body,
    setupRequest: (request) => {
      const headers: Record<string, string> = { ...template.headers, [Header.requestId]: randomUUID() };
      if (template.signed && signer) Object.assign(headers, signer.sign({ method: template.method, url: `${origin}${template.path}`, headers, body }).headers);
      return { ...request, headers };
    },
  };
}

function summary(result: autocannon.Result, latencies: number[]): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) if (!code.startsWith('2')) statuses[code] = count ?? 0;
  return {
    rps: result.requests.average,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    responses: latencies.length,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statuses,
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`load generator: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
