import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { ledgerHeads, ledgerTransactions, openDatabase } from '@lgsp/data';
import { readSegments } from '@lgsp/ledger-client';
import { eq } from 'drizzle-orm';
import { request } from 'undici';

const ROOT = resolve(__dirname, '../../..');
const START = join(ROOT, 'tools/scripts/start.mjs');
const LGSP = join(ROOT, 'tools/cli/bin/lgsp.mjs');

/** `lgsp ...` as a process: exit code and output. */
function lgsp(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [LGSP, ...args], { cwd: ROOT, env: envOf(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolvePromise) => child.once('exit', (code) => resolvePromise({ code, stdout })));
}

interface Running {
  child: ChildProcess;
  publicUrl: string;
  adminUrl: string;
  stdout: () => string;
}

function envOf(extra: Record<string, string>): NodeJS.ProcessEnv {
  // Only what a shell would hand `npm start`, plus the test's variables.
  return { PATH: process.env.PATH, HOME: process.env.HOME, LGSP_PORT: '0', LGSP_ADMIN_PORT: '0', LGSP_DEMO_PROVIDER_PORT: '0', ...extra };
}

/** `npm start` as a process: resolves once it has printed its URLs. */
function start(extra: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [START], { cwd: ROOT, env: envOf(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URLs printed in time:\n${out}\n${err}`)), 60_000);
    child.stdout!.on('data', () => {
      const publicUrl = /public listener\s+(http:\/\/\S+)/.exec(out)?.[1];
      const adminUrl = /admin listener\s+(http:\/\/\S+)/.exec(out)?.[1];
      if (publicUrl && adminUrl) {
        clearTimeout(timer);
        resolvePromise({ child, publicUrl, adminUrl, stdout: () => out });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${out}\n${err}`));
    });
  });
}

/** A process expected to refuse to start: its exit code and what it said on stderr. */
function failedStart(extra: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [START], { cwd: ROOT, env: envOf(extra), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise) => child.once('exit', (code) => resolvePromise({ code, stderr })));
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolvePromise) => {
    child.once('exit', (code) => resolvePromise(code));
    child.kill('SIGTERM');
  });
}

describe('npm start (the whole platform in one process)', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lgsp-standalone-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the demo provider through the gateway, records it, stops cleanly and starts again on its own files', async () => {
    const first = await start({ LGSP_DATA_DIR: dataDir });
    // As a consumer system does: the printed Consumer Key and Secret Key for a token at the token endpoint.
    const secret = /client_secret (\S+)/.exec(first.stdout())![1];
    const tokenResponse = await request(`${first.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`demo-consumer:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(tokenResponse.statusCode).toBe(200);
    const { access_token: token, scope } = (await tokenResponse.body.json()) as { access_token: string; scope: string };
    expect(scope).toBe('directory:v1');
    const requestId = randomUUID();
    const res = await request(`${first.publicUrl}/v1/directory/organisations?pageSize=2`, { headers: { 'x-request-id': requestId, authorization: `Bearer ${token}` } });
    const page = (await res.body.json()) as { data: { name: string }[]; total: number };
    expect(res.statusCode).toBe(200);
    expect(page.data).toHaveLength(2);
    expect(page.total).toBeGreaterThanOrEqual(5);
    const transactionId = res.headers['x-lgsp-transaction-id'];

    const refused = await request(`${first.publicUrl}/v1/directory/organisations`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.statusCode).toBe(400);
    await refused.body.dump();
    const anonymous = await request(`${first.publicUrl}/v1/directory/organisations`, { headers: { 'x-request-id': randomUUID() } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    await anonymous.body.dump();

    expect((await request(`${first.adminUrl}/health/live`)).statusCode).toBe(200);
    expect(first.stdout()).toMatch(/demo consumer\s+tu-ha-noi\.qlcb: client_id demo-consumer, client_secret [A-Za-z0-9_-]{43}/);

    expect(await stop(first.child)).toBe(0);
    // Everything accepted before SIGTERM is durable after it.
    const { records } = await readSegments(join(dataDir, 'ledger', 'outbox'));
    expect(records.find((r) => r.transactionId === transactionId)).toMatchObject({ requestId, status: 200, apiDomain: 'directory', consumerId: 'tu-ha-noi.qlcb', clientId: 'demo-consumer', environment: 'sandbox' });
    expect(records.find((r) => r.transactionId === tokenResponse.headers['x-lgsp-transaction-id'])).toMatchObject({ path: '/oauth2/token', status: 200, clientId: 'demo-consumer' });
    // Neither the secret nor the token is in any record or log line.
    expect(JSON.stringify(records)).not.toContain(secret);
    expect(JSON.stringify(records)).not.toContain(token.split('.')[2]);
    expect(first.stdout().split('\n').filter((l) => l.startsWith('{')).join('\n')).not.toContain(token.split('.')[2]);
    expect(records.find((r) => r.transactionId === refused.headers['x-lgsp-transaction-id'])).toMatchObject({ status: 400, errorCode: 'request_id_invalid' });

    // The embedded ledger ingested the gateway's and IAM's outboxes into its own tables before it
    // stopped (chained, the last head signed), and `lgsp ledger verify` finds the chain intact.
    const ledgerDb = await openDatabase({ dataDir });
    try {
      const [stored] = await ledgerDb.db.select().from(ledgerTransactions).where(eq(ledgerTransactions.transactionId, transactionId as string));
      expect(stored).toMatchObject({ requestId, status: 200, consumerId: 'tu-ha-noi.qlcb', apiDomain: 'directory', upstream: 1 });
      const [token] = await ledgerDb.db.select().from(ledgerTransactions).where(eq(ledgerTransactions.transactionId, tokenResponse.headers['x-lgsp-transaction-id'] as string));
      expect(token).toMatchObject({ status: 200, clientId: 'demo-consumer' });
      // One outbox (the gateway and IAM share it in one process): one partition, its last head covers every record.
      const stored_ = await ledgerDb.db.select({ document: ledgerTransactions.document }).from(ledgerTransactions);
      expect(stored_.length).toBe(records.length);
      const heads = await ledgerDb.db.select().from(ledgerHeads);
      expect(Math.max(...heads.map((h) => h.seq))).toBe(records.length);
      expect(stored_.map((r) => r.document).join('\n')).not.toContain(secret);
    } finally {
      await ledgerDb.close();
    }
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const verified = await lgsp(['ledger', 'verify', '--from', from, '--to', to], { LGSP_DATA_DIR: dataDir });
    expect(verified).toMatchObject({ code: 0 });
    // The gateway's log line of the transaction carries the request id.
    const line = first
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((l) => l.message === 'transaction' && l.transaction?.id === transactionId);
    expect(line).toMatchObject({ 'http.request.id': requestId, http: { response: { status_code: 200 } } });

    // Second start on the same data dir: the PGlite registry, the pepper, the keys and the demo secret persist;
    // applying the demo registry again changes nothing and the same secret is printed.
    const second = await start({ LGSP_DATA_DIR: dataDir });
    expect(second.stdout()).toContain(`client_secret ${secret}`);
    // The token of the first run still verifies: the signing key persisted, encrypted, in the registry.
    const again = await request(`${second.publicUrl}/v1/directory/organisations/thanh-uy-ha-noi`, { headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${token}` } });
    expect(again.statusCode).toBe(200);
    await again.body.dump();
    expect(await stop(second.child)).toBe(0);
  }, 120_000);

  it('refuses to start on an invalid variable, naming it', async () => {
    const { code, stderr } = await failedStart({ LGSP_DATA_DIR: dataDir, LGSP_PORT: 'http', DATABASE_URL: 'mysql://db' });
    expect(code).toBe(1);
    expect(stderr).toContain('LGSP_PORT: must be an integer number');
    expect(stderr).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  }, 60_000);

  it('refuses to start on a malformed declarative file, naming the field', async () => {
    const file = join(dataDir, 'bad.yaml');
    await writeFile(file, 'format_version: "1"\napis:\n  - { domain: directory, version: v1, upstream: "http://127.0.0.1:1", openapi: { openapi: 3.0.3, info: { title: t, version: "1" }, paths: {} }, classification: tuyet-mat }\n');
    const { code, stderr } = await failedStart({ LGSP_DATA_DIR: join(dataDir, 'other'), LGSP_DECLARATIVE_CONFIG: file });
    expect(code).toBe(1);
    expect(stderr).toContain('bad.yaml: apis[0].classification');
  }, 60_000);
});
