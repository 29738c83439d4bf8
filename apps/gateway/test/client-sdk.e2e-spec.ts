import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createLgspClient } from '@lgsp/client';
import type { LgspClient } from '@lgsp/client';
import { applyDeclarativeConfig, migrateDatabase, openDatabase } from '@lgsp/data';
import type { LgspDatabase } from '@lgsp/data';
import { createTestDatabase, startSpyUpstream, startTsProcess } from '@lgsp/testing';
import type { SpyUpstream, TestDatabase, TsProcess } from '@lgsp/testing';

import { KEY_ENCRYPTION_KEY, PEPPER, PUBLIC_URL, readinessUntil } from './gateway-process.util';

/** The registry's test PKI: the consumer's certificate and its key. */
const PKI_DIR = join(__dirname, '..', '..', '..', 'libs', 'registry', 'test', 'fixtures', 'pki');
const CLIENT_SECRET = 'client-sdk-secret-Lq8Rt3Vm6Xw1Zp4Kc7Nb2Hd5';

/**
 * `@lgsp/client` against the platform as it runs: IAM and the gateway as two processes on one
 * PostgreSQL, both published under LGSP_PUBLIC_URL. The client addresses that URL (it is the one it
 * signs as @target-uri); its `fetch` routes /oauth2/* to IAM and the rest to the gateway, as the
 * platform's reverse proxy does.
 */
describe('@lgsp/client through IAM and the gateway', () => {
  let testDb: TestDatabase;
  let database: LgspDatabase;
  let upstream: SpyUpstream;
  let dir: string;
  const processes: TsProcess[] = [];
  let iamUrl: string;
  let gatewayUrl: string;
  let client: LgspClient;
  const consumerId = `sdk-${randomUUID().slice(0, 8)}.qlcb`;
  const clientId = `sdk-${randomUUID().slice(0, 8)}`;
  const keyid = `sdk-ec-${randomUUID().slice(0, 8)}`;

  function start(entry: string, env: Record<string, string>, listening: RegExp): Promise<string> {
    const child = startTsProcess(entry, {
      LGSP_PUBLIC_URL: PUBLIC_URL,
      DATABASE_URL: testDb.url,
      LGSP_SECRET_PEPPER: PEPPER,
      LGSP_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY,
      LGSP_LOG_LEVEL: 'info',
      ...env,
    });
    processes.push(child);
    return child.waitFor(listening).then((match) => match[1]);
  }

  /** The platform's front door: the public URL's paths, each to the process that serves it. */
  const platformFetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== PUBLIC_URL) throw new Error(`the client left the platform: ${url.href}`);
    const target = (url.pathname.startsWith('/oauth2/') ? iamUrl : gatewayUrl) + url.pathname + url.search;
    return fetch(input instanceof Request ? new Request(target, input) : target, init);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-client-sdk-'));
    upstream = await startSpyUpstream();
    testDb = await createTestDatabase();
    database = await openDatabase({ url: testDb.url });
    await migrateDatabase(database);
    const ok = { responses: { '200': { description: 'ok' } } };
    await applyDeclarativeConfig(
      database.db,
      {
        source: 'client sdk test',
        admins: [],
        apis: [
          {
            domain: 'directory',
            version: 'v1',
            upstreams: { sandbox: upstream.url, production: upstream.url },
            openapi: {
              openapi: '3.0.3',
              info: { title: 'directory', version: '1' },
              paths: {
                '/organisations': { get: ok },
                '/echo': { post: { ...ok, requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } } },
              },
            },
            classification: 'noi-bo',
            status: 'published',
          },
        ],
        consumers: [
          {
            id: consumerId,
            name: 'Client SDK test',
            credentials: [{ clientId, secret: { plain: CLIENT_SECRET }, environment: 'sandbox' }],
            certificates: [{ id: keyid, pem: await readFile(join(PKI_DIR, 'leaf-ec.pem'), 'utf8') }],
            subscriptions: [{ api: 'directory', version: 'v1', environments: ['sandbox'] }],
          },
        ],
      },
      { pepper: PEPPER },
    );
    // IAM first: it creates its signing key, which the gateway reads from the same tables.
    iamUrl = await start('apps/iam/src/main.ts', { LGSP_PORT: '0', LGSP_DATA_DIR: join(dir, 'iam') }, /LGSP IAM listening on (http:\/\/[^"\s]+)/);
    gatewayUrl = await start('apps/gateway/src/main.ts', { LGSP_PORT: '0', LGSP_DATA_DIR: join(dir, 'gateway') }, /LGSP gateway listening on (http:\/\/[^"\s]+)/);
    const ready = await readinessUntil(gatewayUrl, (r) => r.status === 200 && r.body.signingKeys > 0);
    expect(ready.body.signingKeys).toBeGreaterThan(0);
    client = createLgspClient({
      baseUrl: PUBLIC_URL,
      clientId,
      clientSecret: CLIENT_SECRET,
      signer: { keyid, key: await readFile(join(PKI_DIR, 'leaf-ec.key.pem'), 'utf8') },
      verifyResponses: true,
      fetch: platformFetch,
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await upstream?.close();
    await database?.close();
    await testDb?.drop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('makes a signed POST with a token from IAM, and verifies the gateway-signed answer with its published key', async () => {
    const answer = await client.request('POST', '/v1/directory/echo', { query: { nam: 2026 }, body: { soHieu: '123/QD-UBND' } });
    expect(answer.status).toBe(201);
    expect(answer.json()).toEqual({ soHieu: '123/QD-UBND' });
    expect(answer.signatureVerified).toBe(true);
    expect(answer.headers['x-signature-input']).toMatch(/^lgsp=\("@status" "content-digest" "x-request-id" "@method";req "@target-uri";req "x-signature";req;key="sig1"\)/);
    expect(answer.transactionId).toEqual(expect.any(String));

    const seen = upstream.seen.at(-1);
    expect(seen).toMatchObject({ method: 'POST', url: '/echo?nam=2026' });
    expect(seen?.headers['x-request-id']).toBe(answer.requestId);
    expect(JSON.parse(String(seen?.body))).toEqual({ soHieu: '123/QD-UBND' });
  });

  it('makes a signed GET whose answer verifies too', async () => {
    const answer = await client.request('GET', '/v1/directory/organisations');
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ path: '/organisations' });
    expect(answer.signatureVerified).toBe(true);
    expect(upstream.seen.at(-1)).toMatchObject({ method: 'GET', url: '/organisations' });
  });
});
