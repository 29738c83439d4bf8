import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { createTestDatabase, type SpyUpstream, startSpyUpstream, type TestDatabase } from '@lgsp/testing';
import { Pool as PgPool } from 'pg';
import { Pool, request } from 'undici';

import type { Cluster, ClusterService } from '../src/cluster';
import { startCluster } from '../src/cluster';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- admin answers are JSON whose shape each step asserts
type AdminAnswer = any;
/** The contract: a registry change or a revocation is enforced by every gateway within 2 s. */
const PROPAGATION_BUDGET_MS = 2000;
const FLUSH_INTERVAL_MS = 200;
/** The flush's INSERT and a late timer on this busy 2-core machine (as apps/gateway/test/outbox-sigkill.e2e-spec.ts). */
const SCHEDULING_MARGIN_MS = 50;
const THROTTLE_LIMIT = 20;
const LOAD_CLIENTS = 12;
const LOAD_BEFORE_KILL_MS = 1500;
const LOAD_AFTER_KILL_MS = 1500;

interface Answer {
  status: number;
  transactionId?: string;
  /** The replica the balancer names on a 502 of its own. */
  failedReplica?: string;
  startedAt: number;
  completedAt: number;
}

/**
 * Issue 10's multi-replica test, on the fixture operators start with `npm run cluster`: IAM, the
 * registry, the ledger and three gateway replicas as processes of their own on one PostgreSQL and
 * one Redis, behind the cluster's load balancer. A provider and a consumer are registered through
 * the admin API as a DGO admin does.
 */
describe('the split topology: three gateway replicas behind the cluster balancer', () => {
  let testDb: TestDatabase;
  let upstream: SpyUpstream;
  let dir: string;
  let cluster: Cluster;
  let sql: PgPool;
  let dgoToken: string;
  let consumer: { clientId: string; clientSecret: string };
  let consumerToken: string;
  // Ids of this run only: throttle keys in the machine's Redis are never shared with another run.
  const run = randomUUID().slice(0, 8);
  const consumerId = `cluster-${run}.qlcb`;
  const throttledId = `cluster-${run}.throttled`;

  async function token(clientId: string, clientSecret: string): Promise<string> {
    const response = await fetch(`${cluster.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as { access_token?: string };
    if (body.access_token === undefined) throw new Error(`no token for ${clientId}: ${response.status}`);
    return body.access_token;
  }

  async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: AdminAnswer }> {
    const response = await fetch(cluster.registryUrl + path, {
      method,
      headers: { authorization: `Bearer ${dgoToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text.length > 0 ? JSON.parse(text) : undefined };
  }

  async function call(baseUrl: string, accessToken: string, path: string): Promise<{ status: number; code?: string; policy?: string; transactionId?: string }> {
    const res = await request(baseUrl + path, { headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': randomUUID() } });
    const text = await res.body.text();
    const problem = String(res.headers['content-type']).includes('problem') ? (JSON.parse(text) as { code?: string }) : undefined;
    return { status: res.statusCode, code: problem?.code, policy: res.headers['ratelimit-policy'] as string | undefined, transactionId: res.headers['x-lgsp-transaction-id'] as string | undefined };
  }

  /** Milliseconds until the replica answers as expected; fails past the budget, which starts when the change was answered. */
  async function enforcedWithin(replica: ClusterService, accessToken: string, path: string, expected: { status: number; code?: string }, since: number): Promise<number> {
    let last: { status: number; code?: string } = { status: 0 };
    while (Date.now() - since < PROPAGATION_BUDGET_MS) {
      last = await call(replica.url, accessToken, path);
      if (last.status === expected.status && last.code === expected.code) return Date.now() - since;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`${replica.name} ${path}: still ${JSON.stringify({ status: last.status, code: last.code })} ${PROPAGATION_BUDGET_MS} ms after the change, expected ${JSON.stringify(expected)}`);
  }

  /** Every replica, called directly (not through the balancer), enforces the change within the budget. */
  async function everyReplica(accessToken: string, path: string, expected: { status: number; code?: string }): Promise<void> {
    const since = Date.now();
    const times = await Promise.all(cluster.gateways.map((replica) => enforcedWithin(replica, accessToken, path, expected, since)));
    expect(times).toHaveLength(3);
  }

  /** Calls each replica until it answers with the consumer's new read quota; resolves to how many of those calls were admitted. */
  async function quotaOnEveryReplica(accessToken: string, quota: number): Promise<number> {
    let admitted = 0;
    const since = Date.now();
    for (const replica of cluster.gateways) {
      for (;;) {
        const answer = await call(replica.url, accessToken, '/v1/directory/organisations');
        if (answer.status === 200) admitted++;
        if (answer.policy?.includes(`"read";q=${quota};`)) break;
        if (Date.now() - since > PROPAGATION_BUDGET_MS) throw new Error(`${replica.name} still answers ${answer.policy} ${PROPAGATION_BUDGET_MS} ms after the limit changed`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    return admitted;
  }

  /** A consumer system through the registration workflow, as platform.e2e-spec does: its sandbox credential. */
  async function enrol(id: string): Promise<{ clientId: string; clientSecret: string }> {
    const form = {
      organisation: { id: 'tu-ha-noi', name: 'Thành uỷ Hà Nội', address: '2 Lê Lai, Hà Nội' },
      representative: { name: 'Nguyễn Văn A', position: 'Chánh Văn phòng' },
      technicalContact: { name: 'Trần Thị B', phone: '+84912345678', email: 'b@hanoi.dcs.vn' },
      system: { name: `Hệ thống ${id}`, businessDomain: 'Tổ chức cán bộ' },
      security: { level: 3, approvalDocument: '123/QĐ' },
      maxClassification: 'noi-bo',
      connectionOption: 2,
      data: [{ api: 'directory', version: 'v1', classification: 'noi-bo', frequency: 'daily', method: 'api', expectedStart: '2027-01-01', purpose: 'Tra cứu' }],
    };
    const submitted = await admin('POST', '/admin/v1/registrations', form);
    expect(submitted.status).toBe(201);
    const reference = submitted.body.reference as string;
    expect((await admin('POST', `/admin/v1/registrations/${reference}/approve`, { consumerId: id })).status).toBe(200);
    const sandbox = await admin('POST', `/admin/v1/registrations/${reference}/sandbox-credentials`);
    expect(sandbox.status).toBe(201);
    return sandbox.body.credential;
  }

  /** Which gateway process (by pid) wrote each transaction to the ledger, once the ledger holds them all. */
  async function writersOf(transactionIds: readonly string[]): Promise<Map<string, number>> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = (
        await sql.query<{ transaction_id: string; writer: string }>(
          'select l.transaction_id, p.writer from ledger_transactions l join ledger_outbox_partitions p on p.partition = l.partition where l.transaction_id = any($1::uuid[])',
          [transactionIds],
        )
      ).rows;
      if (rows.length === transactionIds.length) return new Map(rows.map((row) => [row.transaction_id, Number(/ pid (\d+)$/.exec(row.writer)?.[1])]));
      if (Date.now() > deadline) throw new Error(`the ledger holds ${rows.length} of ${transactionIds.length} transactions`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  const openapi = (title: string) => ({
    openapi: '3.0.3',
    info: { title, version: '1.0.0' },
    paths: { '/organisations': { get: { operationId: 'listOrganisations', responses: { '200': { description: 'The organisations' } } } } },
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-cluster-'));
    upstream = await startSpyUpstream();
    testDb = await createTestDatabase();
    cluster = await startCluster({
      port: 0,
      gateways: 3,
      databaseUrl: testDb.url,
      dir,
      env: {
        LGSP_LEDGER_FLUSH_INTERVAL_MS: String(FLUSH_INTERVAL_MS),
        // Exactness is under test, not the fallback: a stall on this 2-core machine is not an outage.
        LGSP_REDIS_TIMEOUT_MS: '1000',
        // Every client here is 127.0.0.1: the per-IP flood shield would refuse the load, not the consumer's budget.
        LGSP_GUARD_PER_IP_PER_SECOND: '0',
      },
    });
    sql = new PgPool({ connectionString: testDb.url, max: 2 });
    expect(cluster.admin.clientSecret).toEqual(expect.any(String));
    dgoToken = await token(cluster.admin.clientId, cluster.admin.clientSecret as string);
    const upstreams = { sandbox: upstream.url, production: upstream.url };
    expect((await admin('POST', '/admin/v1/apis/directory/versions', { version: 'v1', provider: 'bo-noi-vu', openapi: openapi('Directory'), upstreams, classification: 'noi-bo' })).status).toBe(201);
    expect((await admin('POST', '/admin/v1/apis/directory/versions/v1/lifecycle', { status: 'published' })).status).toBe(200);
    consumer = await enrol(consumerId);
    consumerToken = await token(consumer.clientId, consumer.clientSecret);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await sql?.end();
    await upstream?.close();
    await testDb?.drop();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('spreads traffic through the balancer over all three replicas', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => call(cluster.publicUrl, consumerToken, '/v1/directory/organisations')));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    const writers = await writersOf(answers.map((a) => a.transactionId as string));
    const pids = cluster.gateways.map((g) => g.process.child.pid);
    expect(new Set(writers.values())).toEqual(new Set(pids));
  }, 60_000);

  it('admits exactly the limit set through the admin API across the three replicas', async () => {
    const throttled = await enrol(throttledId);
    const limit = await admin('PUT', `/admin/v1/consumers/${throttledId}/limits`, { readPerMinute: THROTTLE_LIMIT, writePerMinute: 10, reason: 'Kiểm thử giới hạn' });
    expect(limit.status).toBe(200);
    const throttledToken = await token(throttled.clientId, throttled.clientSecret);
    // Every admitted probe counts against the same budget, so it is counted too.
    const probes = await quotaOnEveryReplica(throttledToken, THROTTLE_LIMIT);
    expect(probes).toBeLessThan(THROTTLE_LIMIT);
    const burst = await Promise.all(
      Array.from({ length: THROTTLE_LIMIT * 3 }, (_, i) => call(cluster.gateways[i % 3].url, throttledToken, '/v1/directory/organisations')),
    );
    const admitted = burst.filter((a) => a.status === 200).length;
    expect(probes + admitted).toBe(THROTTLE_LIMIT);
    expect(burst.filter((a) => a.status === 429 && a.code === 'rate_limited')).toHaveLength(THROTTLE_LIMIT * 3 - admitted);
  }, 60_000);

  it('has every replica enforce a new version, a block and a suspension within 2 s', async () => {
    const upstreams = { sandbox: upstream.url, production: upstream.url };
    await everyReplica(consumerToken, '/v2/directory/organisations', { status: 404, code: 'not_found' });
    expect((await admin('POST', '/admin/v1/apis/directory/versions', { version: 'v2', openapi: openapi('Directory v2'), upstreams, classification: 'noi-bo' })).status).toBe(201);
    expect((await admin('POST', '/admin/v1/apis/directory/versions/v2/lifecycle', { status: 'published' })).status).toBe(200);
    expect((await admin('POST', `/admin/v1/consumers/${consumerId}/subscriptions`, { api: 'directory', version: 'v2', environments: ['sandbox'] })).status).toBe(200);
    await everyReplica(consumerToken, '/v2/directory/organisations', { status: 200 });

    const block = await admin('POST', '/admin/v1/blocks', { scope: 'api-version', api: 'directory', version: 'v1', reason: 'Bảo trì khẩn cấp' });
    expect(block.status).toBe(201);
    await everyReplica(consumerToken, '/v1/directory/organisations', { status: 503, code: 'api_blocked' });
    expect((await admin('POST', `/admin/v1/blocks/${block.body.id}/lift`, { reason: 'Xong' })).status).toBe(200);
    await everyReplica(consumerToken, '/v1/directory/organisations', { status: 200 });

    expect((await admin('POST', `/admin/v1/consumers/${consumerId}/suspend`, { reason: 'Sự cố an toàn thông tin' })).status).toBe(200);
    await everyReplica(consumerToken, '/v1/directory/organisations', { status: 403, code: 'consumer_suspended' });
    expect((await admin('POST', `/admin/v1/consumers/${consumerId}/resume`, { reason: 'Đã khắc phục' })).status).toBe(200);
    await everyReplica(consumerToken, '/v1/directory/organisations', { status: 200 });
  }, 60_000);

  it('has every replica refuse a revoked token within 2 s', async () => {
    const doomed = await token(consumer.clientId, consumer.clientSecret);
    await everyReplica(doomed, '/v1/directory/organisations', { status: 200 });
    const revoked = await fetch(`${cluster.publicUrl}/oauth2/revoke`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${consumer.clientId}:${consumer.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: doomed }).toString(),
    });
    expect(revoked.status).toBe(200);
    await everyReplica(doomed, '/v1/directory/organisations', { status: 401, code: 'invalid_token' });
    // The consumer's other token is untouched.
    await everyReplica(consumerToken, '/v1/directory/organisations', { status: 200 });
  }, 60_000);

  it('keeps serving when a replica is killed with SIGKILL under load, and loses no record beyond its last flush interval', async () => {
    expect((await admin('PUT', `/admin/v1/consumers/${consumerId}/limits`, { readPerMinute: 100_000, writePerMinute: 300, reason: 'Kiểm thử tải' })).status).toBe(200);
    await quotaOnEveryReplica(consumerToken, 100_000);
    const victim = cluster.gateways[2];
    const survivors = cluster.gateways.slice(0, 2).map((g) => g.process.child.pid);

    const pool = new Pool(cluster.publicUrl, { connections: LOAD_CLIENTS, pipelining: 1 });
    const answers: Answer[] = [];
    const stop = { now: false };
    const client = async (): Promise<void> => {
      while (!stop.now) {
        const startedAt = performance.now();
        const res = await pool.request({ path: '/v1/directory/organisations', method: 'GET', headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${consumerToken}` } });
        await res.body.dump();
        answers.push({
          status: res.statusCode,
          transactionId: res.headers['x-lgsp-transaction-id'] as string | undefined,
          failedReplica: res.headers['x-lgsp-balancer-replica'] as string | undefined,
          startedAt,
          completedAt: performance.now(),
        });
      }
    };
    const clients = Array.from({ length: LOAD_CLIENTS }, () => client());
    await new Promise((resolve) => setTimeout(resolve, LOAD_BEFORE_KILL_MS));
    const killedAt = performance.now();
    victim.process.child.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, LOAD_AFTER_KILL_MS));
    stop.now = true;
    await Promise.all(clients);
    await pool.close();
    expect(await victim.process.exited()).toBeNull();

    const served = answers.filter((a) => a.status === 200);
    const failed = answers.filter((a) => a.status !== 200);
    const afterKill = served.filter((a) => a.startedAt > killedAt);
    // The others kept serving; what failed was in flight on the killed replica (the balancer's 502 names it), at most one per client.
    expect(afterKill.length).toBeGreaterThan(50);
    expect(failed.every((a) => a.status === 502 && a.failedReplica === victim.name && a.startedAt < killedAt + LOAD_AFTER_KILL_MS)).toBe(true);
    expect(failed.length).toBeLessThanOrEqual(LOAD_CLIENTS);
    expect(served.every((a) => typeof a.transactionId === 'string')).toBe(true);

    // Once the outbox is drained (the survivors' partitions and what the victim had committed), compare.
    const deadline = Date.now() + 30_000;
    while (Number((await sql.query<{ n: string }>('select count(*) as n from ledger_outbox')).rows[0].n) > 0) {
      if (Date.now() > deadline) throw new Error('the ledger did not drain the outbox');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const ids = served.map((a) => a.transactionId as string);
    const stored = new Set((await sql.query<{ id: string }>('select transaction_id::text as id from ledger_transactions where transaction_id = any($1::uuid[])', [ids])).rows.map((r) => r.id));
    const missing = served.filter((a) => !stored.has(a.transactionId as string));
    const owedBefore = killedAt - FLUSH_INTERVAL_MS - SCHEDULING_MARGIN_MS;
    const summary = {
      served: served.length,
      failed: failed.length,
      servedAfterKill: afterKill.length,
      stored: stored.size,
      missing: missing.length,
      missingBeforeLastInterval: missing.filter((a) => a.completedAt < owedBefore).length,
    };
    expect(summary.served).toBeGreaterThan(200);
    expect(summary).toMatchObject({ missingBeforeLastInterval: 0 });
    // What the survivors answered after the kill is all there, written by the survivors alone.
    const writersAfterKill = await writersOf(afterKill.map((a) => a.transactionId as string));
    expect(new Set(writersAfterKill.values())).toEqual(new Set(survivors));
  }, 90_000);

  it('stops every service cleanly, gateways first', async () => {
    const codes = await cluster.stop();
    expect(codes).toEqual({ 'gateway-1': 0, 'gateway-2': 0, 'gateway-3': null, ledger: 0, registry: 0, iam: 0 });
  }, 60_000);
});
