import { randomUUID } from 'node:crypto';

import { Header } from '@lgsp/contracts';
import autocannon from 'autocannon';

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
