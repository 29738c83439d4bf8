import { spawn } from 'node:child_process';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { resolve } from 'node:path';

import { Header } from '@lgsp/contracts';
import { signLgspRequest } from '@lgsp/signature';
import { createTestDatabase } from '@lgsp/testing';
import type { TestDatabase } from '@lgsp/testing';
import { Redis } from 'ioredis';
import { request } from 'undici';

import { USAGE, parseBenchOptions } from './bench-options.util';
import type { BenchOptions, ScenarioName } from './bench-options.util';
import type { LoadResult, RequestTemplate, SigningIdentity } from './load/load-spec.type';
import { runLoad } from './load/run-load.util';
import { ROOT, SERVER_CORE, canPin, pinned, sampleRss, startTsServer } from './process/bench-process.util';
import { renderProfileSummary, summarizeCpuProfile } from './report/cpu-profile.util';
import type { BenchServer } from './process/bench-process.util';
import { renderReport } from './report/bench-report.util';
import type { ScenarioRow, SkippedScenario, SteadyRow } from './report/bench-report.util';
import {
  BENCH_CERTIFICATE_ID,
  BENCH_CLIENT_ID,
  BENCH_CLIENT_SECRET,
  BENCH_PUBLIC_URL,
  BENCH_READ_PATH,
  BENCH_SIGNING_KEY_FILE,
  BENCH_WRITE_BODY,
  BENCH_WRITE_PATH,
} from './servers/bench-client.constant';
import { findNginx, startNginx } from './servers/nginx-server.util';

/**
 * `npm run bench`: the same load on a fixed-response upstream, a bare fastify + undici proxy, nginx,
 * and LGSP (reads, signed writes, and with Redis + PostgreSQL as in production), then a steady-rate
 * run of mixed reads and writes against the SLA. Each server is a child process on one core, the
 * load generator a child process on the other (taskset), one scenario at a time. Method and
 * latest figures: docs/benchmarks.md.
 */
const REDIS_URL = 'redis://127.0.0.1:6379';
const RESULTS_FILE = resolve(ROOT, 'tools/bench/results/latest.md');
const PROFILE_DIR = resolve(ROOT, 'tools/bench/results/profiles');
const READ_PROFILE = 'lgsp-read.cpuprofile';
const WRITE_PROFILE = 'lgsp-write.cpuprofile';
const SIGNING: SigningIdentity = { keyid: BENCH_CERTIFICATE_ID, keyFile: BENCH_SIGNING_KEY_FILE, origin: BENCH_PUBLIC_URL };
const BASIC = `Basic ${Buffer.from(`${BENCH_CLIENT_ID}:${BENCH_CLIENT_SECRET}`).toString('base64')}`;
const UPSTREAM_READ_PATH = '/organisations?page=1&pageSize=2';
const UPSTREAM_WRITE_PATH = '/organisations';
const JSON_TYPE = { 'content-type': 'application/json' };

const TITLES: Record<Exclude<ScenarioName, 'steady'>, [number, string]> = {
  upstream: [1, 'fixed-response upstream directly'],
  bare: [2, 'bare fastify + undici proxy'],
  nginx: [3, 'nginx proxy_pass, keep-alive upstream'],
  'lgsp-read': [4, 'LGSP read chain (token, route, subscription + classification, throttle, validate, proxy, ledger)'],
  'lgsp-write': [5, 'LGSP signed write (read chain + signature verification + response signing)'],
  'lgsp-production': [6, 'LGSP read chain, Redis throttle + PostgreSQL registry'],
};

class Skip extends Error {}

class Runner {
  readonly rows: ScenarioRow[] = [];
  readonly skipped: SkippedScenario[] = [];
  steady?: { rate: number; mix: string; direct?: SteadyRow; lgsp: SteadyRow };
  readonly profiles: string[] = [];

  constructor(private readonly options: BenchOptions) {}

  /** With --profile: the server records a CPU profile into this file between SIGUSR2 and SIGTERM. */
  private async profileArgs(file: string): Promise<string[]> {
    if (!this.options.profile) return [];
    await mkdir(PROFILE_DIR, { recursive: true });
    return ['--cpu-profile', resolve(PROFILE_DIR, file)];
  }

  /** `measure`, with the server's profile spanning the load (warm-up included, start-up and probes not) when --profile. */
  private async measureProfiled(server: BenchServer, requests: readonly RequestTemplate[], file: string, title: string, signing?: SigningIdentity): Promise<{ result: LoadResult; rssMiB: number }> {
    if (this.options.profile) server.child.kill('SIGUSR2');
    const measured = await this.measure(server, requests, signing);
    if (this.options.profile) this.profiles.push(renderProfileSummary(title, await summarizeCpuProfile(resolve(PROFILE_DIR, file))));
    return measured;
  }

  /** What every LGSP gateway of the run is started with. */
  private lgspArgs(): string[] {
    return ['--access-log', this.options.accessLog];
  }

  private load(url: string, requests: readonly RequestTemplate[], extra: { overallRate?: number; signing?: SigningIdentity } = {}): Promise<LoadResult> {
    const { duration, warmup, connections } = this.options;
    return runLoad({ url, connections, durationSeconds: duration, warmupSeconds: warmup, requests, ...extra });
  }

  /** Runs one scenario against a server the scenario starts and stops, so RSS and CPU are that server's alone. */
  async scenario(name: Exclude<ScenarioName, 'steady'>, body: () => Promise<Omit<ScenarioRow, 'id' | 'title'>>): Promise<void> {
    if (!this.options.only.has(name)) return;
    const [id, title] = TITLES[name];
    process.stderr.write(`bench: ${id}. ${title}…\n`);
    try {
      this.rows.push({ id, title, ...(await body()) });
    } catch (error) {
      if (!(error instanceof Skip)) throw error;
      this.skipped.push({ id, title, reason: error.message });
      process.stderr.write(`bench: ${id}. skipped — ${error.message}\n`);
    }
  }

  /** Measures `requests` against a server it owns, sampling the server's RSS during the measured run. */
  async measure(server: BenchServer, requests: readonly RequestTemplate[], signing?: SigningIdentity): Promise<{ result: LoadResult; rssMiB: number }> {
    try {
      const rss = sampleRss(server.child.pid ?? -1);
      const result = await this.load(server.url, requests, { signing });
      return { result, rssMiB: rss.stop() };
    } finally {
      await server.stop();
    }
  }

  async run(): Promise<void> {
    const upstream = await startTsServer('fixed-upstream.server.ts', []);
    try {
      await this.runAll(upstream);
    } finally {
      await upstream.stop();
    }
  }

  private async runAll(upstream: BenchServer): Promise<void> {
    const read: RequestTemplate = { method: 'GET', path: UPSTREAM_READ_PATH, headers: {} };
    await this.scenario('upstream', async () => {
      const rss = sampleRss(upstream.child.pid ?? -1);
      const result = await this.load(upstream.url, [read]);
      return { result, rssMiB: rss.stop(), proxied: false };
    });
    await this.scenario('bare', async () => ({ ...(await this.measure(await startTsServer('bare-proxy.server.ts', [upstream.url]), [read])), proxied: true }));
    await this.scenario('nginx', async () => {
      const nginx = findNginx();
      if (nginx === undefined) throw new Skip('nginx is not installed (Debian: apt-get install nginx-light)');
      return { ...(await this.measure(await startNginx(nginx, upstream.url), [read])), proxied: true };
    });
    await this.scenario('lgsp-read', async () => {
      const lgsp = await startTsServer('lgsp-gateway.server.ts', [upstream.url, ...this.lgspArgs(), ...(await this.profileArgs(READ_PROFILE))]);
      const reads = await lgspReads(lgsp).catch(async (error: unknown) => {
        await lgsp.stop();
        throw error;
      });
      return { ...(await this.measureProfiled(lgsp, reads, READ_PROFILE, 'LGSP read chain (scenario 4), under the load')), proxied: true };
    });
    await this.scenario('lgsp-write', async () => {
      const lgsp = await startTsServer('lgsp-gateway.server.ts', [upstream.url, ...this.lgspArgs(), ...(await this.profileArgs(WRITE_PROFILE))]);
      let write: { template: RequestTemplate; note: string };
      try {
        write = await signedWrite(lgsp, await tokenFrom(lgsp.url));
      } catch (error) {
        await lgsp.stop();
        throw error;
      }
      return { ...(await this.measureProfiled(lgsp, [write.template], WRITE_PROFILE, 'LGSP signed writes (scenario 5), under the load', SIGNING)), proxied: true, note: write.note };
    });
    await this.scenario('lgsp-production', async () => {
      await redisReachable();
      let database: TestDatabase;
      try {
        database = await createTestDatabase();
      } catch (error) {
        throw new Skip((error as Error).message);
      }
      try {
        const lgsp = await startTsServer('lgsp-gateway.server.ts', [upstream.url, ...this.lgspArgs(), '--database-url', database.url, '--redis-url', REDIS_URL]);
        const reads = await lgspReads(lgsp).catch(async (error: unknown) => {
          await lgsp.stop();
          throw error;
        });
        const note = 'PostgreSQL and Redis run unpinned as system services; their memory is not in the RSS column';
        return { ...(await this.measure(lgsp, reads)), proxied: true, note };
      } finally {
        await database.drop();
      }
    });
    if (this.options.only.has('steady')) await this.runSteady(upstream);
  }

  /** 1,000 req/s (--rate) of 4 reads to 1 write, on the upstream alone and on LGSP (embedded), for the added p99 and the SLA. */
  private async runSteady(upstream: BenchServer): Promise<void> {
    const rate = this.options.rate;
    process.stderr.write(`bench: steady ${rate} req/s, mixed reads and writes…\n`);
    const directRead: RequestTemplate = { method: 'GET', path: UPSTREAM_READ_PATH, headers: {} };
    const directWrite: RequestTemplate = { method: 'POST', path: UPSTREAM_WRITE_PATH, headers: JSON_TYPE, body: BENCH_WRITE_BODY };
    const directResult = await this.load(upstream.url, [directRead, directRead, directRead, directRead, directWrite], { overallRate: rate });
    const lgsp = await startTsServer('lgsp-gateway.server.ts', [upstream.url, ...this.lgspArgs()]);
    try {
      const token = await tokenFrom(lgsp.url);
      const [lgspRead] = await lgspReads(lgsp, token);
      let requests: RequestTemplate[];
      let mix: string;
      try {
        requests = [lgspRead, lgspRead, lgspRead, lgspRead, (await signedWrite(lgsp, token)).template];
        mix = '4 reads : 1 write (writes signed)';
      } catch (error) {
        if (!(error instanceof Skip)) throw error;
        const unsigned: RequestTemplate = { method: 'POST', path: BENCH_WRITE_PATH, headers: { ...JSON_TYPE, authorization: `Bearer ${token}` }, body: BENCH_WRITE_BODY };
        const answer = await request(`${lgsp.url}${BENCH_WRITE_PATH}`, { method: 'POST', headers: { ...unsigned.headers, [Header.requestId]: randomUUID() }, body: BENCH_WRITE_BODY });
        const text = await answer.body.text();
        if (answer.statusCode < 300) {
          requests = [lgspRead, lgspRead, lgspRead, lgspRead, unsigned];
          mix = `4 reads : 1 write (writes unsigned — signed writes skipped: ${error.message})`;
        } else {
          requests = [lgspRead];
          mix = `reads only (signed writes skipped: ${error.message}; an unsigned write is refused ${refusal(answer.statusCode, text)})`;
        }
      }
      const result = await this.load(lgsp.url, requests, { overallRate: rate, signing: SIGNING });
      this.steady = { rate, mix, direct: { title: 'upstream directly', result: directResult }, lgsp: { title: 'LGSP (embedded), reads + writes', result } };
    } finally {
      await lgsp.stop();
    }
  }
}

async function tokenFrom(base: string): Promise<string> {
  const res = await request(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  if (res.statusCode !== 200) throw new Error(`token endpoint answered ${res.statusCode}: ${await res.body.text()}`);
  return ((await res.body.json()) as { access_token: string }).access_token;
}

/** The read request, after one probe that it is admitted (a refusal would otherwise be measured as speed). */
async function lgspReads(lgsp: BenchServer, token?: string): Promise<RequestTemplate[]> {
  const authorization = `Bearer ${token ?? (await tokenFrom(lgsp.url))}`;
  const res = await request(`${lgsp.url}${BENCH_READ_PATH}`, { headers: { authorization, [Header.requestId]: randomUUID() } });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`LGSP refused the benchmark read: ${refusal(res.statusCode, text)}`);
  return [{ method: 'GET', path: BENCH_READ_PATH, headers: { authorization } }];
}

/**
 * The signed write, or Skip with the reason: the chain has no verify policy yet, or a signed write
 * is refused (the verify policy does not take the bench consumer's certificate).
 */
async function signedWrite(lgsp: BenchServer, token: string): Promise<{ template: RequestTemplate; note: string }> {
  const policies = lgsp.extra.split(',');
  if (!policies.includes('verify')) throw new Skip(`the gateway has no verify policy in GATEWAY_POLICIES yet (chain: ${policies.join(', ')})`);
  const headers = { ...JSON_TYPE, authorization: `Bearer ${token}` };
  const probeHeaders = { ...headers, [Header.requestId]: randomUUID() };
  const body = Buffer.from(BENCH_WRITE_BODY);
  const signature = await signLgspRequest({ method: 'POST', url: `${SIGNING.origin}${BENCH_WRITE_PATH}`, headers: probeHeaders, body }, { keyid: SIGNING.keyid, key: createPrivateKey(readFileSync(SIGNING.keyFile)), now: new Date() });
  const res = await request(`${lgsp.url}${BENCH_WRITE_PATH}`, { method: 'POST', headers: { ...probeHeaders, ...signature.headers }, body });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Skip(`a signed write is refused ${refusal(res.statusCode, text)}`);
  const note = res.headers[Header.signature] === undefined ? 'the gateway verified the request signature but did not sign its response (no X-Signature)' : 'request signature verified, response signed';
  return { template: { method: 'POST', path: BENCH_WRITE_PATH, headers, body: BENCH_WRITE_BODY, signed: true }, note };
}

/** `401 signature_invalid (detail)` from a problem+json answer, on one line and safe in a markdown cell. */
function refusal(status: number, text: string): string {
  let summary = text;
  try {
    const problem = JSON.parse(text) as { code?: string; detail?: string };
    summary = `${problem.code ?? ''}${problem.detail === undefined ? '' : ` (${problem.detail})`}`;
  } catch {
    // not problem+json
  }
  return `${status} ${summary.replace(/[|\r\n]+/g, ' ').slice(0, 200)}`;
}

async function redisReachable(): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Skip(`Redis is not reachable at ${REDIS_URL}: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

/** `--micro`: every tools/bench/src/micro/*.bench.ts with its defaults, one after the other, on the servers' core. */
async function runMicro(): Promise<void> {
  const dir = resolve(__dirname, 'micro');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.bench.ts')).sort()) {
    process.stdout.write(`\n## ${file}\n`);
    const [command, argv] = pinned(SERVER_CORE, process.execPath, [resolve(ROOT, 'tools/scripts/run-ts.mjs'), resolve(dir, file)]);
    const code = await new Promise<number | null>((done) => spawn(command, argv, { cwd: ROOT, stdio: 'inherit' }).once('exit', done));
    if (code !== 0) process.stdout.write(`(${file} exited with ${code})\n`);
  }
}

function heading(options: BenchOptions): string {
  const pinning = canPin() ? `servers pinned to core ${SERVER_CORE}, load generator to core 1 (taskset)` : 'nothing pinned (taskset or a second core missing)';
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return [
    `LGSP benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpu}), Node ${process.version}; ${pinning}.`,
    `${options.connections} connections, ${options.warmup} s warm-up then ${options.duration} s measured per scenario; latency per response in ms (hrtime), errors = socket errors + timeouts; LGSP gateways with LGSP_ACCESS_LOG=${options.accessLog}.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (options.micro) return runMicro();
  const runner = new Runner(options);
  await runner.run();
  const markdown = renderReport({ heading: heading(options), rows: runner.rows, skipped: runner.skipped, steady: runner.steady }) + runner.profiles.map((profile) => `\n${profile}`).join('');
  process.stdout.write(`\n${markdown}`);
  await mkdir(resolve(RESULTS_FILE, '..'), { recursive: true });
  await writeFile(RESULTS_FILE, markdown);
  process.stdout.write(`\n(written to ${RESULTS_FILE.slice(ROOT.length + 1)})\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
