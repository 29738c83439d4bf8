import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { applyDeclarativeConfig, auditLog, type LgspDatabase, ledgerHeads, ledgerOutbox, ledgerTransactions, migrateDatabase, openDatabase } from '@lgsp/data';
import { ElasticsearchLedgerStore, LedgerIngestor, SegmentOutboxSource, verifyStatement } from '@lgsp/ledger';
import { SEGMENT_PATTERN, readSegments } from '@lgsp/ledger-client';
import { platformSigningKeyOf } from '@lgsp/signature';
import { createTestDatabase, startTsProcess, type TestDatabase, type TsProcess } from '@lgsp/testing';
import type { JSONWebKeySet } from 'jose';

import { CapturingElasticsearch, eventually, fileContents, runLgsp, type SpyProvider, startSpyProvider, startSyslogCollector, type SyslogCollector } from './ledger-platform.util';

const PUBLIC_URL = 'https://api.lgsp.test';
const PEPPER = 'ledger-platform-pepper-ledger-platform-pepper';
const KEK = 'ledger-platform-kek-ledger-platform-kek-0001';
const STATEMENT_SIGNATURE = 'x-lgsp-statement-signature';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers are JSON whose shape each step asserts
type Json = any;

/** One transaction this test caused, as the ledger must record it. */
interface Sent {
  readonly transactionId: string;
  readonly requestId?: string;
  readonly service: 'gateway' | 'iam';
  /** The consumer system the record names (an authenticated call or a token issued). */
  readonly consumerId?: string;
  readonly providerId?: string;
  readonly api?: string;
  readonly version?: string;
  /** The gateway attempted the provider's upstream. */
  readonly reached: boolean;
  readonly status: number;
  readonly code?: string;
  readonly event?: string;
  /** YYYY-MM-DD in Vietnam time when it was sent. */
  readonly day: string;
}

function vietnamDay(at: number): string {
  return new Date(at + 7 * 3_600_000).toISOString().slice(0, 10);
}

interface StatementRow {
  apiDomain: string;
  apiVersion: string;
  day: string;
  statusClass: string;
  count: number;
}

/** What a party's statement must say about the transactions given. */
function expectedStatement(transactions: readonly Sent[]): { rows: StatementRow[]; totals: Json; csv: string } {
  const rows = new Map<string, StatementRow>();
  for (const sent of transactions) {
    const row = { apiDomain: sent.api ?? '-', apiVersion: sent.version ?? '-', day: sent.day, statusClass: `${Math.floor(sent.status / 100)}xx` };
    const key = `${row.apiDomain} ${row.apiVersion} ${row.day} ${row.statusClass}`;
    const existing = rows.get(key);
    if (existing === undefined) rows.set(key, { ...row, count: 1 });
    else existing.count += 1;
  }
  const sorted = [...rows.values()].sort((a, b) => {
    for (const field of ['apiDomain', 'apiVersion', 'day', 'statusClass'] as const) if (a[field] !== b[field]) return a[field] < b[field] ? -1 : 1;
    return 0;
  });
  const sum = (key: (row: StatementRow) => string): Map<string, number> => {
    const sums = new Map<string, number>();
    for (const row of sorted) sums.set(key(row), (sums.get(key(row)) ?? 0) + row.count);
    return sums;
  };
  const byApi = sum((row) => `${row.apiDomain},${row.apiVersion}`);
  const byDay = sum((row) => row.day);
  const byClass = sum((row) => row.statusClass);
  const totals = {
    all: transactions.length,
    byStatusClass: Object.fromEntries(byClass),
    byApi: [...byApi].map(([key, count]) => ({ apiDomain: key.split(',')[0], apiVersion: key.split(',')[1], count })),
    byDay: Object.fromEntries(byDay),
  };
  const lines = ['api,version,day,status_class,count', ...sorted.map((row) => `${row.apiDomain},${row.apiVersion},${row.day},${row.statusClass},${row.count}`)];
  for (const [key, count] of byApi) lines.push(`${key},*,*,${count}`);
  for (const day of [...byDay.keys()].sort()) lines.push(`*,*,${day},*,${byDay.get(day)}`);
  for (const statusClass of [...byClass.keys()].sort()) lines.push(`*,*,*,${statusClass},${byClass.get(statusClass)}`);
  lines.push(`*,*,*,*,${transactions.length}`);
  return { rows: sorted, totals, csv: lines.map((line) => `${line}\r\n`).join('') };
}

/**
 * Issue 8's end-to-end proofs, on the cluster's shape: IAM, the registry, a gateway and the ledger
 * as four processes on one PostgreSQL, the gateway and IAM writing file outboxes the ledger reads.
 * A known mix of traffic goes through; the ledger's statements, reconciliation, SOC search, syslog
 * forwarding, chain verification and metrics must account for it exactly, and no body, token,
 * secret, password, header or cookie value sent or answered along the way may surface in any record,
 * log line, stored file, syslog frame or bulk request bound for Elasticsearch.
 */
describe('the ledger on real traffic: IAM, registry, gateway and ledger as processes', () => {
  const run = randomUUID().slice(0, 8);
  const canary = `CANARY-${randomUUID()}`;
  const marker = (place: string): string => `${canary}-${place}`;
  /** Recorded by design (paths are): the positive control of every search for the canary. */
  const pathMarker = `CANARY-${randomUUID()}-path`;

  const providerA = `prov-a-${run}`;
  const providerB = `prov-b-${run}`;
  const unit1 = `unit-1-${run}`;
  const unit2 = `unit-2-${run}`;
  const consumer1 = `cs-1-${run}.qlcb`;
  const consumer2 = `cs-2-${run}.qlvb`;
  const consumer3 = `cs-3-${run}.qlts`;
  const secret = (): string => `s3cret-${randomBytes(24).toString('base64url')}`;
  const clients = {
    c1: { clientId: `c1-${run}`, secret: secret() },
    c2: { clientId: `c2-${run}`, secret: secret() },
    c3: { clientId: `c3-${run}`, secret: secret() },
    soc: { clientId: `soc-${run}`, secret: secret() },
    providerAdmin: { clientId: `pa-${run}`, secret: secret() },
    consumerAdmin: { clientId: `ca-${run}`, secret: secret() },
    dgo: { clientId: `dgo-${run}`, secret: secret() },
  };
  /** Every access token issued in this run: never to be found anywhere. */
  const accessTokens: string[] = [];

  let dir: string;
  let testDb: TestDatabase;
  let database: LgspDatabase;
  let spyA: SpyProvider;
  let spyB: SpyProvider;
  let syslog: SyslogCollector;
  let keyFile: string;
  const dataDirs = { iam: '', registry: '', gateway: '', ledger: '' };
  const processes: Record<keyof typeof dataDirs, TsProcess | undefined> = { iam: undefined, registry: undefined, gateway: undefined, ledger: undefined };
  let iamUrl: string;
  let registryUrl: string;
  let gatewayUrl: string;
  let ledgerUrl: string;
  let jwks: JSONWebKeySet;
  const tokens = { c1: '', c2: '', c3: '', soc: '', providerAdmin: '', consumerAdmin: '', dgo: '' };
  const sent: Sent[] = [];
  const startedAt = Date.now();
  let period: string;
  let cliOutput = '';

  function start(name: keyof typeof dataDirs, entry: string, env: Record<string, string>, listening: RegExp): Promise<string> {
    const child = startTsProcess(entry, {
      LGSP_PUBLIC_URL: PUBLIC_URL,
      DATABASE_URL: testDb.url,
      LGSP_SECRET_PEPPER: PEPPER,
      LGSP_KEY_ENCRYPTION_KEY: KEK,
      LGSP_LOG_LEVEL: 'debug',
      LGSP_DATA_DIR: dataDirs[name],
      ...env,
    });
    processes[name] = child;
    return child.waitFor(listening, 90_000).then((match) => match[1]);
  }

  /** POST /oauth2/token with client_secret_basic; the transaction is tallied as IAM records it. */
  async function tokenRequest(
    client: { clientId: string; secret: string },
    tally: { consumerId?: string; event?: string },
    form = 'grant_type=client_credentials',
  ): Promise<{ status: number; body: Json }> {
    const at = Date.now();
    const response = await fetch(`${iamUrl}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const body = (await response.json()) as Json;
    const transactionId = response.headers.get('x-lgsp-transaction-id');
    if (transactionId === null) throw new Error('IAM answered without X-LGSP-Transaction-ID');
    sent.push({ transactionId, service: 'iam', reached: false, status: response.status, day: vietnamDay(at), ...(body.error !== undefined && { code: body.error }), ...tally });
    if (typeof body.access_token === 'string') accessTokens.push(body.access_token);
    return { status: response.status, body };
  }

  async function token(client: { clientId: string; secret: string }, consumerId?: string): Promise<string> {
    const answer = await tokenRequest(client, consumerId === undefined ? {} : { consumerId });
    if (answer.status !== 200) throw new Error(`no token for ${client.clientId}: ${JSON.stringify(answer.body)}`);
    return answer.body.access_token as string;
  }

  interface Call {
    /** The consumer the record names: set once the token verified. */
    readonly consumer?: string;
    /** `a` or `b`: the API version the call was routed to. */
    readonly api?: 'a' | 'b';
    readonly reached: boolean;
    readonly event?: string;
    readonly headers?: Record<string, string>;
    readonly body?: string;
  }

  /** One data-plane call through the gateway, with a fresh X-Request-ID; tallied as the ledger must record it. */
  async function send(
    accessToken: string,
    method: string,
    path: string,
    call: Call,
  ): Promise<{ status: number; code?: string; transactionId: string; requestId: string; text: string; headers: Headers }> {
    const requestId = randomUUID();
    const at = Date.now();
    const response = await fetch(gatewayUrl + path, {
      method,
      headers: {
        authorization: `Bearer ${accessToken}`,
        'x-request-id': requestId,
        ...(call.body !== undefined && { 'content-type': 'application/json' }),
        ...call.headers,
      },
      body: call.body,
    });
    const text = await response.text();
    const code = response.headers.get('content-type')?.includes('problem') ? (JSON.parse(text).code as string) : undefined;
    const transactionId = response.headers.get('x-lgsp-transaction-id');
    if (transactionId === null) throw new Error(`${method} ${path}: no X-LGSP-Transaction-ID`);
    const api = call.api === undefined ? undefined : { providerId: call.api === 'a' ? providerA : providerB, api: call.api === 'a' ? 'dira' : 'dirb', version: 'v1' };
    sent.push({
      transactionId,
      requestId,
      service: 'gateway',
      ...(call.consumer !== undefined && { consumerId: call.consumer }),
      ...api,
      reached: call.reached,
      status: response.status,
      ...(code !== undefined && { code }),
      ...(call.event !== undefined && { event: call.event }),
      day: vietnamDay(at),
    });
    return { status: response.status, code, transactionId, requestId, text, headers: response.headers };
  }

  /** `send`, asserting the answer. */
  async function expectCall(accessToken: string, method: string, path: string, call: Call, expected: { status: number; code?: string }): Promise<void> {
    const answer = await send(accessToken, method, path, call);
    expect({ call: `${method} ${path}`, status: answer.status, code: answer.code }).toEqual({ call: `${method} ${path}`, ...expected });
  }

  async function admin(accessToken: string, path: string, init: { method?: string; body?: string; contentType?: string; base?: string } = {}): Promise<{ status: number; headers: Headers; raw: Buffer; body: Json }> {
    const response = await fetch((init.base ?? ledgerUrl) + path, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${accessToken}`, ...(init.body !== undefined && { 'content-type': init.contentType ?? 'application/json' }) },
      body: init.body,
    });
    const raw = Buffer.from(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, headers: response.headers, raw, body: type.includes('json') ? JSON.parse(raw.toString('utf8')) : raw.toString('utf8') };
  }

  const operation = (extra: object = {}) => ({ responses: { '200': { description: 'ok' } }, ...extra });
  const recordBody = { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 200 } } } } } };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-ledger-platform-'));
    for (const name of Object.keys(dataDirs) as (keyof typeof dataDirs)[]) dataDirs[name] = join(dir, name);
    keyFile = join(dir, 'platform-signing-key.pem');
    await writeFile(keyFile, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
    [spyA, spyB, syslog, testDb] = await Promise.all([
      startSpyProvider({ body: marker('upstream-body'), header: marker('upstream-header') }),
      startSpyProvider({ body: marker('upstream-body-b'), header: marker('upstream-header-b') }),
      startSyslogCollector(),
      createTestDatabase(),
    ]);
    database = await openDatabase({ url: testDb.url });
    await migrateDatabase(database);
    const subscribe = (...apis: string[]) => apis.map((api) => ({ api, version: 'v1', environments: ['sandbox' as const] }));
    const credential = (client: { clientId: string; secret: string }) => [{ clientId: client.clientId, secret: { plain: client.secret }, environment: 'sandbox' as const }];
    await applyDeclarativeConfig(
      database.db,
      {
        source: 'ledger platform test',
        apis: [
          {
            domain: 'dira',
            version: 'v1',
            provider: providerA,
            upstreams: { sandbox: spyA.url, production: spyA.url },
            classification: 'noi-bo',
            openapi: {
              openapi: '3.0.3',
              info: { title: 'Directory A', version: '1' },
              paths: {
                '/organisations': { get: operation() },
                '/fail': { get: operation() },
                '/canary': { get: operation() },
                '/records': { post: operation({ requestBody: recordBody }) },
                '/secret-records': { post: operation({ requestBody: recordBody, 'x-lgsp-classification': 'mat' }) },
              },
            },
          },
          {
            domain: 'dirb',
            version: 'v1',
            provider: providerB,
            upstreams: { sandbox: spyB.url, production: spyB.url },
            classification: 'noi-bo',
            openapi: { openapi: '3.0.3', info: { title: 'Directory B', version: '1' }, paths: { '/organisations': { get: operation() } } },
          },
        ],
        consumers: [
          { id: consumer1, name: 'Hệ thống 1', organisation: unit1, credentials: credential(clients.c1), certificates: [], subscriptions: subscribe('dira', 'dirb') },
          {
            id: consumer2,
            name: 'Hệ thống 2',
            organisation: unit2,
            credentials: credential(clients.c2),
            certificates: [],
            limits: { readPerMinute: 4, writePerMinute: 10 },
            subscriptions: subscribe('dira', 'dirb'),
          },
          { id: consumer3, name: 'Hệ thống 3', organisation: unit2, credentials: credential(clients.c3), certificates: [], subscriptions: subscribe('dirb') },
        ],
        admins: [
          { clientId: clients.soc.clientId, secret: { plain: clients.soc.secret }, roles: ['soc-analyst'] },
          { clientId: clients.providerAdmin.clientId, secret: { plain: clients.providerAdmin.secret }, roles: ['provider'], organisation: providerA },
          { clientId: clients.consumerAdmin.clientId, secret: { plain: clients.consumerAdmin.secret }, roles: ['consumer'], organisation: unit1 },
          { clientId: clients.dgo.clientId, secret: { plain: clients.dgo.secret }, roles: ['dgo-admin'] },
        ],
      },
      { pepper: PEPPER },
    );

    const outboxes = [join(dataDirs.gateway, 'ledger', 'outbox'), join(dataDirs.iam, 'ledger', 'iam-outbox')];
    [iamUrl, registryUrl, gatewayUrl, ledgerUrl] = await Promise.all([
      start('iam', 'apps/iam/src/main.ts', { LGSP_PORT: '0' }, /LGSP IAM listening on (http:\/\/[^"\s]+)/),
      start('registry', 'apps/registry/src/main.ts', { LGSP_ADMIN_PORT: '0' }, /LGSP registry admin API listening on (http:\/\/[^"\s]+)/),
      start(
        'gateway',
        'apps/gateway/src/main.ts',
        {
          LGSP_PORT: '0',
          LGSP_SIGNING_KEY: keyFile,
          // Writes pass unsigned, so one is served; the Mật operation still requires a signature.
          LGSP_REQUIRE_SIGNED_WRITES: 'false',
          LGSP_WAN_CIDRS: '127.0.0.1/32',
          LGSP_GUARD_PER_IP_PER_SECOND: '0',
          LGSP_LEDGER_FLUSH_INTERVAL_MS: '50',
        },
        /LGSP gateway listening on (http:\/\/[^"\s]+)/,
      ),
      start(
        'ledger',
        'apps/ledger/src/main.ts',
        { LGSP_ADMIN_PORT: '0', LGSP_SIGNING_KEY: keyFile, LGSP_LEDGER_OUTBOX_DIRS: outboxes.join(','), LGSP_LEDGER_HEAD_INTERVAL_SECONDS: '1', LGSP_SYSLOG_URL: syslog.url },
        /LGSP ledger listening on (http:\/\/[^"\s]+)/,
      ),
    ]);
    jwks = (await (await fetch(`${gatewayUrl}/.well-known/lgsp-signing-keys`)).json()) as JSONWebKeySet;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(processes).map((child) => child?.stop()));
    await Promise.all([spyA?.close(), spyB?.close(), syslog?.close()]);
    await database?.close();
    await testDb?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a known mix of traffic, each answer as expected', async () => {
    tokens.c1 = await token(clients.c1, consumer1);
    tokens.c2 = await token(clients.c2, consumer2);
    tokens.c3 = await token(clients.c3, consumer3);
    for (const name of ['soc', 'providerAdmin', 'consumerAdmin', 'dgo'] as const) tokens[name] = await token(clients[name]);

    const c1 = { consumer: consumer1 };
    for (let i = 0; i < 3; i++) await expectCall(tokens.c1, 'GET', '/v1/dira/organisations', { ...c1, api: 'a', reached: true }, { status: 200 });
    for (let i = 0; i < 2; i++) await expectCall(tokens.c1, 'GET', '/v1/dirb/organisations', { ...c1, api: 'b', reached: true }, { status: 200 });
    for (let i = 0; i < 2; i++) await expectCall(tokens.c1, 'GET', '/v1/dira/unknown-operation', { ...c1, api: 'a', reached: false }, { status: 404, code: 'not_found' });
    for (let i = 0; i < 2; i++) await expectCall(tokens.c1, 'GET', '/v1/dira/fail', { ...c1, api: 'a', reached: true }, { status: 500 });
    // The canaries, each where the platform must never copy it from.
    await expectCall(
      tokens.c1,
      'GET',
      `/v1/dira/organisations?q=${marker('query')}`,
      { ...c1, api: 'a', reached: true, headers: { 'x-custom-note': marker('header'), cookie: `session=${marker('cookie')}` } },
      { status: 200 },
    );
    const upstreamCanary = await send(tokens.c1, 'GET', '/v1/dira/canary', { ...c1, api: 'a', reached: true });
    expect(upstreamCanary.status).toBe(200);
    expect(upstreamCanary.text).toContain(marker('upstream-body'));
    expect(upstreamCanary.headers.get('x-provider-secret')).toBe(marker('upstream-header'));
    await expectCall(tokens.c1, 'POST', '/v1/dira/records', { ...c1, api: 'a', reached: true, body: JSON.stringify({ name: marker('body-accepted') }) }, { status: 201 });
    await expectCall(tokens.c1, 'POST', '/v1/dira/records', { ...c1, api: 'a', reached: false, body: JSON.stringify({ name: 7, note: marker('body-invalid') }) }, { status: 400, code: 'validation_failed' });
    await expectCall(
      tokens.c1,
      'POST',
      '/v1/dira/secret-records',
      { ...c1, api: 'a', reached: false, event: 'signature-failure', body: JSON.stringify({ name: marker('body-refused') }) },
      { status: 401, code: 'signature_missing' },
    );
    await expectCall(tokens.c1, 'GET', `/v1/dira/${pathMarker}`, { ...c1, api: 'a', reached: false }, { status: 404, code: 'not_found' });

    // Consumer 2's budget is 4 reads a minute: the fifth call starts a throttling burst.
    const c2 = { consumer: consumer2 };
    for (let i = 0; i < 2; i++) await expectCall(tokens.c2, 'GET', '/v1/dira/organisations', { ...c2, api: 'a', reached: true }, { status: 200 });
    for (let i = 0; i < 2; i++) await expectCall(tokens.c2, 'GET', '/v1/dirb/organisations', { ...c2, api: 'b', reached: true }, { status: 200 });
    await expectCall(tokens.c2, 'GET', '/v1/dira/organisations', { ...c2, api: 'a', reached: false, event: 'throttle-burst' }, { status: 429, code: 'rate_limited' });
    await expectCall(tokens.c2, 'GET', '/v1/dira/organisations', { ...c2, api: 'a', reached: false }, { status: 429, code: 'rate_limited' });

    // Refused tokens: one a canary.
    await expectCall(marker('bearer'), 'GET', '/v1/dira/organisations', { reached: false, event: 'authentication-failure' }, { status: 401, code: 'invalid_token' });
    await expectCall('not-a-token', 'GET', '/v1/dirb/organisations', { reached: false, event: 'authentication-failure' }, { status: 401, code: 'invalid_token' });

    // A wrong client secret, with a password field: both canaries.
    const refused = await tokenRequest({ clientId: clients.c1.clientId, secret: marker('client-secret') }, { event: 'authentication-failure' }, `grant_type=client_credentials&password=${marker('password')}`);
    expect(refused.body.error).toBe('invalid_client');

    // Consumer 3 calls, is suspended through the registry's admin API, and calls again with the token it holds.
    const c3 = { consumer: consumer3, api: 'b' as const };
    await expectCall(tokens.c3, 'GET', '/v1/dirb/organisations', { ...c3, reached: true }, { status: 200 });
    const suspended = await admin(tokens.dgo, `/admin/v1/consumers/${consumer3}/suspend`, { method: 'POST', base: registryUrl, body: JSON.stringify({ reason: 'Sự cố an toàn thông tin' }) });
    expect(suspended.status).toBe(200);
    // Until the gateway has heard of it (LISTEN/NOTIFY), a call is still served: each is tallied as answered.
    await eventually('suspension enforced', async () => {
      const answer = await send(tokens.c3, 'GET', '/v1/dirb/organisations', { ...c3, reached: true });
      if (answer.status === 200) return undefined;
      expect(answer).toMatchObject({ status: 403, code: 'consumer_suspended' });
      const refusal = sent.pop() as Sent;
      sent.push({ ...refusal, reached: false, event: 'suspended-consumer-attempt' });
      return true;
    });
    const inactive = await tokenRequest(clients.c3, { event: 'suspended-consumer-attempt' });
    expect(inactive.body.error).toBe('invalid_client');

    // The canaries went through the gateway to the provider (cookies are not forwarded), so each had every chance to leak.
    const receivedByA = spyA.seen.map((request) => `${request.url} ${JSON.stringify(request.headers)} ${request.body.toString('utf8')}`).join('\n');
    for (const place of ['query', 'header', 'body-accepted']) expect(receivedByA).toContain(marker(place));

    // The providers saw exactly the calls that reached them.
    expect(spyA.seen).toHaveLength(sent.filter((s) => s.reached && s.providerId === providerA).length);
    expect(spyB.seen).toHaveLength(sent.filter((s) => s.reached && s.providerId === providerB).length);
    period = `from=${new Date(startedAt - 60_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
  }, 60_000);

  /** Every page of a search, following `next`. */
  async function searchAll(accessToken: string, query: string, size: number): Promise<{ totals: number[]; items: Json[] }> {
    const totals: number[] = [];
    const items: Json[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin(accessToken, `/admin/v1/ledger/transactions?${period}&${query}&size=${size}${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      expect(page.status).toBe(200);
      totals.push(page.body.total);
      items.push(...page.body.items);
      cursor = page.body.next;
    } while (cursor !== undefined);
    return { totals, items };
  }

  const idsOf = (items: readonly { transactionId: string }[]): string[] => items.map((item) => item.transactionId).sort();
  const documentIds = (items: readonly Json[]): string[] => items.map((item) => item.transaction.id as string).sort();

  it('ingests every transaction exactly as it happened, and the SOC finds them by each filter', async () => {
    await eventually('every transaction ingested', async () => {
      const page = await admin(tokens.soc, `/admin/v1/ledger/transactions?${period}&size=1`);
      return page.body.total === sent.length ? true : undefined;
    });
    const ready = await fetch(`${ledgerUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as Json).backlog).toEqual({ records: 0, bytes: 0 });

    const everything = (await admin(tokens.soc, `/admin/v1/ledger/transactions?${period}&size=1000`)).body;
    expect(everything.total).toBe(sent.length);
    expect(documentIds(everything.items)).toEqual(idsOf(sent));
    const byId = new Map<string, Json>(everything.items.map((document: Json) => [document.transaction.id, document]));
    for (const expected of sent) {
      const document = byId.get(expected.transactionId);
      expect({
        transactionId: document.transaction.id,
        service: document.service?.name,
        requestId: document.http.request.id,
        consumerId: document.lgsp.consumer?.id,
        providerId: document.lgsp.provider?.id,
        api: document.lgsp.api?.domain,
        version: document.lgsp.api?.version,
        reached: document.lgsp.upstream?.started_at !== undefined,
        status: document.http.response.status_code,
        code: document.error?.code,
        event: document.lgsp.security_event,
        chained: typeof document.lgsp.chain?.hash,
      }).toEqual({
        transactionId: expected.transactionId,
        service: expected.service,
        requestId: expected.requestId,
        consumerId: expected.consumerId,
        providerId: expected.providerId,
        api: expected.api,
        version: expected.version,
        reached: expected.reached,
        status: expected.status,
        code: expected.code,
        event: expected.event,
        chained: 'string',
      });
    }

    const ofConsumer1 = sent.filter((s) => s.consumerId === consumer1);
    const filters: [string, Sent[]][] = [
      [`consumer=${consumer1}`, ofConsumer1],
      [`provider=${providerA}`, sent.filter((s) => s.providerId === providerA)],
      [`provider=${providerB}&status=2xx`, sent.filter((s) => s.providerId === providerB && s.status < 300)],
      ['status=5xx', sent.filter((s) => s.status >= 500)],
      ['status=404', sent.filter((s) => s.status === 404)],
      ['errorCode=rate_limited', sent.filter((s) => s.code === 'rate_limited')],
      ['errorCode=invalid_token', sent.filter((s) => s.code === 'invalid_token')],
      ['securityEvent=true', sent.filter((s) => s.event !== undefined)],
      [`api=dirb&version=v1&consumer=${consumer3}`, sent.filter((s) => s.api === 'dirb' && s.consumerId === consumer3)],
      [`requestId=${ofConsumer1[4].requestId}`, [ofConsumer1[4]]],
      [`transactionId=${sent[7].transactionId}`, [sent[7]]],
    ];
    for (const [query, expected] of filters) {
      expect(expected.length).toBeGreaterThan(0);
      const found = (await admin(tokens.soc, `/admin/v1/ledger/transactions?${period}&${query}`)).body;
      expect({ query, total: found.total, ids: documentIds(found.items) }).toEqual({ query, total: expected.length, ids: idsOf(expected) });
    }

    // Pages of 2, newest first, following next: every match once, the total on each page.
    const refusedOf1 = ofConsumer1.filter((s) => s.status >= 400 && s.status < 500);
    expect(refusedOf1.length).toBeGreaterThan(4);
    const paged = await searchAll(tokens.soc, `consumer=${consumer1}&status=4xx`, 2);
    expect(paged.totals).toEqual(Array(Math.ceil(refusedOf1.length / 2)).fill(refusedOf1.length));
    expect(paged.items.map((item) => item.transaction.id)).toEqual([...new Set(paged.items.map((item) => item.transaction.id))]);
    expect(documentIds(paged.items)).toEqual(idsOf(refusedOf1));
    const times = paged.items.map((item) => Date.parse(item['@timestamp']));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("gives each party a signed statement that matches the traffic exactly, and no other party's", async () => {
    const parties: [string, string, Sent[]][] = [
      [tokens.consumerAdmin, `consumer:${consumer1}`, sent.filter((s) => s.consumerId === consumer1)],
      [tokens.providerAdmin, `provider:${providerA}`, sent.filter((s) => s.providerId === providerA && s.reached)],
    ];
    for (const [accessToken, party, transactions] of parties) {
      const expected = expectedStatement(transactions);
      const json = await admin(accessToken, `/admin/v1/ledger/statements?party=${party}&${period}`);
      expect(json.status).toBe(200);
      expect(json.body).toMatchObject({ party, timeZone: 'Asia/Ho_Chi_Minh', rows: expected.rows, totals: expected.totals });
      expect(json.headers.get('x-lgsp-statement-id')).toBe(json.body.statementId);
      const verified = await verifyStatement(json.raw, json.headers.get(STATEMENT_SIGNATURE) ?? '', jwks);
      expect(verified).toMatchObject({ party, from: json.body.period.from, to: json.body.period.to, kid: jwks.keys[0].kid });

      const csv = await admin(accessToken, `/admin/v1/ledger/statements?party=${party}&${period}&format=csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.body).toBe(expected.csv);
      await expect(verifyStatement(csv.raw, csv.headers.get(STATEMENT_SIGNATURE) ?? '', jwks)).resolves.toMatchObject({ party });
      // The signature covers these bytes and no others.
      await expect(verifyStatement(Buffer.from(csv.body.replace(/,(\d+)\r\n$/, (_: string, n: string) => `,${Number(n) + 1}\r\n`)), csv.headers.get(STATEMENT_SIGNATURE) ?? '', jwks)).rejects.toThrow();
    }
    // The provider's statement counts only what reached it: what its spy saw.
    expect(expectedStatement(parties[1][2]).totals.all).toBe(spyA.seen.length);

    const otherConsumer = await admin(tokens.consumerAdmin, `/admin/v1/ledger/statements?party=consumer:${consumer2}&${period}`);
    expect(otherConsumer.status).toBe(403);
    expect(otherConsumer.body.code).toBe('forbidden');
    const otherProvider = await admin(tokens.providerAdmin, `/admin/v1/ledger/statements?party=provider:${providerB}&${period}`);
    expect(otherProvider.status).toBe(403);
    const transactionOf2 = sent.find((s) => s.consumerId === consumer2) as Sent;
    const hidden = await admin(tokens.consumerAdmin, `/admin/v1/ledger/transactions/${transactionOf2.transactionId}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('not_found');
    const own = sent.find((s) => s.consumerId === consumer1 && s.service === 'gateway') as Sent;
    expect((await admin(tokens.consumerAdmin, `/admin/v1/ledger/transactions/${own.transactionId}`)).body.transaction.id).toBe(own.transactionId);
  });

  it("returns exactly the differences planted in a consumer's own list, signed", async () => {
    const listed = sent.filter((s) => s.consumerId === consumer1 && s.requestId !== undefined);
    const [left1, left2, changed, ...kept] = listed;
    const extra = { requestId: randomUUID(), status: 200 };
    const changedStatus = changed.status === 200 ? 204 : 200;
    const theirs = [...kept.map((s) => ({ requestId: s.requestId, status: s.status })), { requestId: changed.requestId, status: changedStatus }, extra];
    const [from, to] = period.split('&').map((part) => decodeURIComponent(part.split('=')[1]));
    const answer = await admin(tokens.consumerAdmin, '/admin/v1/ledger/reconciliations', { method: 'POST', body: JSON.stringify({ party: `consumer:${consumer1}`, from, to, transactions: theirs }) });
    expect(answer.status).toBe(200);
    const byRequestId = (a: { requestId?: string }, b: { requestId?: string }): number => ((a.requestId ?? '') < (b.requestId ?? '') ? -1 : 1);
    expect(answer.body).toEqual({
      party: `consumer:${consumer1}`,
      period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      counts: { theirs: listed.length - 1, platform: listed.length, matched: listed.length - 3 },
      missingOnPlatform: [extra],
      missingOnParty: [left1, left2].map((s) => ({ requestId: s.requestId, transactionId: s.transactionId, status: s.status })).sort(byRequestId),
      statusMismatches: [{ requestId: changed.requestId, transactionId: changed.transactionId, platformStatus: changed.status, partyStatus: changedStatus }],
      duplicates: { party: [], platform: [] },
    });
    await expect(verifyStatement(answer.raw, answer.headers.get(STATEMENT_SIGNATURE) ?? '', jwks)).resolves.toMatchObject({ party: `consumer:${consumer1}` });

    // The same list as CSV: the same differences.
    const csv = ['request_id,status', ...theirs.map((row) => `${row.requestId},${row.status}`)].join('\r\n') + '\r\n';
    const fromCsv = await admin(tokens.consumerAdmin, `/admin/v1/ledger/reconciliations?party=consumer:${consumer1}&${period}`, { method: 'POST', body: csv, contentType: 'text/csv' });
    expect(fromCsv.status).toBe(200);
    expect({ ...fromCsv.body }).toEqual(answer.body);
  });

  it('forwards one RFC 5424 frame per security event, naming its transaction', async () => {
    const events = sent.filter((s) => s.event !== undefined);
    expect(events.map((s) => s.event).sort()).toEqual([
      'authentication-failure',
      'authentication-failure',
      'authentication-failure',
      'signature-failure',
      'suspended-consumer-attempt',
      'suspended-consumer-attempt',
      'throttle-burst',
    ]);
    await eventually('every security event forwarded', async () => (syslog.frames.length >= events.length ? true : undefined));
    expect(syslog.leftover()).toBe(0);
    const frames = syslog.frames.map((frame) => ({ event: frame.event, transactionId: frame.params['transactionId'] }));
    const byTransaction = (a: { transactionId?: string }, b: { transactionId?: string }): number => ((a.transactionId ?? '') < (b.transactionId ?? '') ? -1 : 1);
    expect(frames.sort(byTransaction)).toEqual(events.map((s) => ({ event: s.event, transactionId: s.transactionId })).sort(byTransaction));
    for (const frame of syslog.frames) {
      const cause = sent.find((s) => s.transactionId === frame.params['transactionId']) as Sent;
      // Facility 13 (log audit); alert for a suspended consumer, warning for the rest here.
      expect(frame.pri).toBe(13 * 8 + (frame.event === 'suspended-consumer-attempt' ? 1 : 4));
      expect(frame.params['status']).toBe(String(cause.status));
      if (cause.requestId !== undefined) expect(frame.params['requestId']).toBe(cause.requestId);
      if (cause.consumerId !== undefined) expect(frame.params['consumerId']).toBe(cause.consumerId);
    }
  });

  it('counts what it stored in /metrics, stops cleanly on SIGTERM, and its chains verify with `lgsp ledger verify`', async () => {
    const metrics = await (await fetch(`${ledgerUrl}/metrics`)).text();
    expect(Number(/^lgsp_ledger_shipped_total (\d+)$/m.exec(metrics)?.[1])).toBe(sent.length);
    expect(Number(/^lgsp_syslog_sent_total (\d+)$/m.exec(metrics)?.[1])).toBe(sent.filter((s) => s.event !== undefined).length);
    expect(await database.db.select({ id: ledgerTransactions.transactionId }).from(ledgerTransactions)).toHaveLength(sent.length);
    expect((await fetch(`${ledgerUrl}/health/ready`)).status).toBe(200);

    expect(await processes.ledger?.stop('SIGTERM')).toBe(0);

    const [from, to] = period.split('&').map((part) => decodeURIComponent(part.split('=')[1]));
    const verify = await runLgsp(['ledger', 'verify', '--from', from, '--to', to], {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: testDb.url,
      LGSP_SIGNING_KEY: keyFile,
      LGSP_DATA_DIR: join(dir, 'cli'),
      LGSP_SECRET_PEPPER: PEPPER,
      LGSP_KEY_ENCRYPTION_KEY: KEK,
    });
    cliOutput = verify.stdout + verify.stderr;
    expect(verify.stderr).toBe('');
    expect(verify.stdout).toContain(`2 partition(s), ${sent.length} record(s)`);
    expect(verify.stdout).not.toContain('note:');
    expect(verify.code).toBe(0);
  }, 30_000);

  it('lets no body, token, secret, password, header or cookie value through to any record, log line, file, syslog frame or bulk request', async () => {
    for (const name of ['gateway', 'iam', 'registry'] as const) expect({ name, code: await processes[name]?.stop('SIGTERM') }).toEqual({ name, code: 0 });

    // The path Elasticsearch takes: the outboxes' segments (as written, without the ledger's cursors) through an ingestor into a capturing client.
    const copies = [join(dir, 'es-copy', 'gateway'), join(dir, 'es-copy', 'iam')];
    const outboxes = [join(dataDirs.gateway, 'ledger', 'outbox'), join(dataDirs.iam, 'ledger', 'iam-outbox')];
    for (const [i, outbox] of outboxes.entries()) {
      await mkdir(copies[i], { recursive: true });
      for (const name of (await readdir(outbox)).filter((file) => SEGMENT_PATTERN.test(file))) await copyFile(join(outbox, name), join(copies[i], name));
    }
    expect((await readSegments(copies[0])).records.length + (await readSegments(copies[1])).records.length).toBe(sent.length);
    const elasticsearch = new CapturingElasticsearch();
    const pem = (await readFile(keyFile)).toString('utf8');
    const ingestor = new LedgerIngestor({
      sources: [new SegmentOutboxSource({ directories: copies })],
      writer: new ElasticsearchLedgerStore(elasticsearch.client(), { maxAttempts: 1 }),
      deadLetterDir: join(dir, 'es-copy'),
      heads: { key: await platformSigningKeyOf(pem, keyFile, false), intervalSeconds: 3600 },
    });
    expect(await ingestor.runOnce()).toEqual({ acknowledged: sent.length, failed: false });
    await ingestor.stop();
    const creates = elasticsearch.bulkCreates;
    expect(creates.filter((create) => create._index === 'lgsp-transactions').map((create) => create._id).sort()).toEqual(idsOf(sent));
    expect(creates.filter((create) => create._index === 'lgsp-transactions-heads')).toHaveLength(2);

    const forbidden: [string, string][] = [
      ['a canary', canary],
      ...Object.values(clients).map((client): [string, string] => [`the client secret of ${client.clientId}`, client.secret]),
      ...accessTokens.map((accessToken, i): [string, string] => [`access token ${i}`, accessToken]),
    ];
    expect(accessTokens).toHaveLength(7);
    const leaks: string[] = [];
    const search = (medium: string, content: string | Buffer): void => {
      for (const [what, value] of forbidden) if (content.includes(value)) leaks.push(`${what} in ${medium}`);
    };
    /** The positive control of a medium: what it must hold, so a search that finds nothing means something. */
    const holds = (medium: string, content: string | Buffer, values: readonly string[]): void => {
      const missing = values.filter((value) => !content.includes(value));
      expect({ medium, missing }).toEqual({ medium, missing: [] });
    };
    const everyId = sent.flatMap((s) => [s.transactionId, ...(s.requestId === undefined ? [] : [s.requestId])]);

    // The ledger's tables.
    const tables = {
      ledger_transactions: JSON.stringify(await database.db.select().from(ledgerTransactions)),
      ledger_heads: JSON.stringify(await database.db.select().from(ledgerHeads)),
      ledger_outbox: JSON.stringify(await database.db.select().from(ledgerOutbox)),
      audit_log: JSON.stringify(await database.db.select().from(auditLog)),
    };
    for (const [table, rows] of Object.entries(tables)) search(`table ${table}`, rows);
    holds('table ledger_transactions', tables.ledger_transactions, [...everyId, pathMarker]);
    holds('table ledger_heads', tables.ledger_heads, ['files-']);
    holds('table audit_log', tables.audit_log, [consumer3]);

    // Every file of every process's data dir (outboxes, cursors, last-known-good state, dead letters), the copies and the key.
    const files = await fileContents([dir]);
    for (const file of files) search(`file ${file.path}`, file.bytes);
    holds('the files', Buffer.concat(files.map((file) => file.bytes)), [...everyId, pathMarker]);

    // Every line each process printed.
    for (const [name, child] of Object.entries(processes)) {
      search(`${name}'s stdout`, child?.stdout() ?? '');
      search(`${name}'s stderr`, child?.stderr() ?? '');
    }
    search('lgsp ledger verify', cliOutput);
    holds("the gateway's log", processes.gateway?.stdout() ?? '', [pathMarker]);
    holds("the ledger's log", processes.ledger?.stdout() ?? '', ['LGSP ledger listening on']);

    // Every syslog frame.
    const frames = syslog.frames.map((frame) => frame.raw).join('\n');
    search('the syslog frames', frames);
    holds('the syslog frames', frames, sent.filter((s) => s.event !== undefined).map((s) => s.transactionId));

    // Every request bound for Elasticsearch.
    const bulk = elasticsearch.requests.map((request) => request.body).join('\n');
    search('the Elasticsearch requests', bulk);
    holds('the bulk requests', elasticsearch.bulkBodies.join('\n'), [...everyId, pathMarker]);

    expect(leaks).toEqual([]);
  }, 30_000);
});
