import { execFile } from 'node:child_process';
import { X509Certificate, createHash, createPublicKey, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { configFrom } from '@lgsp/config';
import type { LgspConfig } from '@lgsp/config';
import type { TransactionRecord } from '@lgsp/contracts';
import { InProcessChangeChannel, applyDeclarativeConfig, certificates, migrateDatabase, openDatabase } from '@lgsp/data';
import type { LgspDatabase } from '@lgsp/data';
import { readSegments } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';
import { LGSP_SIGNATURE_HEADERS, SIGNING_KEYS_PATH, verifyLgspResponseSignature } from '@lgsp/signature';
import { createTestDatabase } from '@lgsp/testing';
import type { TestDatabase } from '@lgsp/testing';
import { eq } from 'drizzle-orm';
import { createSigner, createVerifier, httpbis } from 'http-message-signatures';
import { Redis } from 'ioredis';
import type { JWK } from 'jose';
import { request } from 'undici';

import { createGatewayApp, outboxDir } from '../src/lib/gateway.app';
import type { GatewayApp } from '../src/lib/gateway.app';
import { startHoldingUpstream } from './guard-test-gateway.util';
import type { HoldingUpstream } from './guard-test-gateway.util';
import { generateCrl, signedHeaders, testCertificate } from './signed-request.util';
import type { TestSigningCertificate } from './signed-request.util';
import { TestTokenMinter, testSigningKey } from './test-tokens.util';
import type { TestSigningKey } from './test-tokens.util';

const CONSUMER = 'tu-ha-noi.qlcb';
const OTHER = 'bo-noi-vu.hrm';
const PUBLIC_URL = 'https://api.lgsp.test';
const WAN = '10.20.3.4';
const OUTSIDE = '198.51.100.9';
const REDIS_URL = 'redis://127.0.0.1:6379';

const ok = { responses: { '200': { description: 'ok' } } };
const RECORDS_OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'Records', version: '1.0.0' },
  paths: {
    '/items': { get: ok, post: { ...ok, requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } } },
    '/dossiers/{id}': { get: { ...ok, 'x-lgsp-classification': 'mat' } },
  },
};

interface Gateway {
  readonly app: GatewayApp;
  readonly config: LgspConfig;
  readonly base: string;
  records(): Promise<TransactionRecord[]>;
  close(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly json: Record<string, unknown> | undefined;
}

/**
 * X-Signature through the gateway as its app composes it, on a PostgreSQL registry holding the
 * consumers' certificates (the registry's test PKI): requests verified at phase 60 with the
 * contract's codes, Mật served only signed from the Party-WAN zone, the evidence in the ledger, and
 * answers signed with the key published at /.well-known/lgsp-signing-keys.
 */
describe('signed requests and responses through the gateway', () => {
  let testDb: TestDatabase;
  let database: LgspDatabase;
  let upstream: HoldingUpstream;
  let tokenKey: TestSigningKey;
  let ec: TestSigningCertificate;
  let rsa: TestSigningCertificate;
  let other: TestSigningCertificate;
  let changes: InProcessChangeChannel;
  let gw: Gateway;
  let token: string;
  /** The gateway's clock. */
  let now = Date.now();

  async function startGateway(env: Record<string, string> = {}): Promise<Gateway> {
    const dir = await mkdtemp(join(tmpdir(), 'lgsp-sig-'));
    const config = configFrom({
      LGSP_PORT: '0',
      LGSP_DATA_DIR: dir,
      LGSP_PUBLIC_URL: PUBLIC_URL,
      LGSP_TRUSTED_PROXIES: '127.0.0.1',
      LGSP_WAN_CIDRS: '10.20.0.0/16',
      ...env,
    });
    const app = await createGatewayApp({
      config,
      logger: createLogger({ service: 'lgsp-gateway', level: 'silent' }),
      database,
      changes,
      jwks: { load: async () => ({ keys: [tokenKey.publicJwk] }) },
      revocations: { loadActive: async () => [] },
      tracingEnabled: false,
      withProcessMetrics: false,
      clock: () => now,
    });
    const base = await app.listen();
    return {
      app,
      config,
      base,
      async records() {
        await app.sink.flush();
        return (await readSegments(outboxDir(config))).records;
      },
      async close() {
        await app.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }

  beforeAll(async () => {
    [ec, rsa, other] = await Promise.all([testCertificate('leaf-ec'), testCertificate('leaf-rsa'), testCertificate('leaf-other')]);
    testDb = await createTestDatabase();
    database = await openDatabase({ url: testDb.url });
    await migrateDatabase(database);
    upstream = await startHoldingUpstream();
    await applyDeclarativeConfig(
      database.db,
      {
        source: 'signature test',
        admins: [],
        apis: [{ domain: 'records', version: 'v1', upstreams: { sandbox: upstream.url, production: upstream.url }, openapi: RECORDS_OPENAPI, classification: 'noi-bo', status: 'published' }],
        consumers: [
          {
            id: CONSUMER,
            name: CONSUMER,
            credentials: [],
            certificates: [
              { id: 'tu-ha-noi-ec', pem: ec.pem },
              { id: 'tu-ha-noi-rsa', pem: rsa.pem },
            ],
            subscriptions: [{ api: 'records', version: 'v1', environments: ['sandbox', 'production'] }],
          },
          { id: OTHER, name: OTHER, credentials: [], certificates: [{ id: 'bnv-other', pem: other.pem }], subscriptions: [] },
        ],
      },
      { pepper: 'signature-test-pepper-signature-test-pepper' },
    );
    tokenKey = await testSigningKey();
    changes = new InProcessChangeChannel();
    gw = await startGateway();
    token = await new TestTokenMinter(PUBLIC_URL, () => now).mint(tokenKey, { claims: { sub: CONSUMER } });
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    await changes?.close();
    await database?.close();
    await testDb?.drop();
    await upstream?.close();
  });

  async function send(base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer; forwardedFor?: string } = {}): Promise<Answer> {
    const res = await request(base + path, {
      method: (init.method ?? 'GET') as 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        'x-forwarded-for': init.forwardedFor ?? WAN,
        ...init.headers,
      },
      body: init.body,
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    const type = String(res.headers['content-type'] ?? '');
    return {
      status: res.statusCode,
      headers: res.headers as Record<string, string>,
      body,
      json: type.includes('json') && body.length > 0 ? (JSON.parse(body.toString()) as Record<string, unknown>) : undefined,
    };
  }

  /** A signed call to gw, signed with `cert` under `keyid` (the EC leaf under tu-ha-noi-ec by default). */
  async function signedCall(path: string, init: { method?: string; body?: Buffer; keyid?: string; cert?: TestSigningCertificate; created?: Date; forwardedFor?: string; base?: string } = {}) {
    const method = init.method ?? 'GET';
    const headers = await signedHeaders({
      method,
      url: PUBLIC_URL + path,
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body,
      keyid: init.keyid ?? 'tu-ha-noi-ec',
      key: (init.cert ?? ec).key,
      now: init.created ?? new Date(now),
    });
    const answer = await send(init.base ?? gw.base, path, { method, headers, body: init.body, forwardedFor: init.forwardedFor });
    return { answer, headers };
  }

  async function recordOf(answer: Answer): Promise<TransactionRecord | undefined> {
    return (await gw.records()).find((r) => r.transactionId === answer.headers['x-lgsp-transaction-id']);
  }

  async function platformKey(): Promise<{ kid: string; key: KeyObject; jwk: JWK }> {
    const res = await request(gw.base + SIGNING_KEYS_PATH);
    expect(res.statusCode).toBe(200);
    const { keys } = (await res.body.json()) as { keys: JWK[] };
    expect(keys).toHaveLength(1);
    const [jwk] = keys;
    return { kid: jwk.kid as string, key: createPublicKey({ key: jwk as never, format: 'jwk' }), jwk };
  }

  function expectRefusal(answer: Answer, status: number, code: string): void {
    expect({ status: answer.status, code: answer.json?.code }).toEqual({ status, code });
  }

  const body = Buffer.from('{"soHieu":"123/QD-UBND","ngayBanHanh":"2026-03-02"}');

  it('serves a signed write, records its evidence, and signs the answer with the published key', async () => {
    const { answer, headers } = await signedCall('/v1/records/items?nam=2026', { method: 'POST', body });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ path: '/items?nam=2026' });

    const { kid, key, jwk } = await platformKey();
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ecdsa-p256-sha256', use: 'sig' });
    expect(answer.headers[LGSP_SIGNATURE_HEADERS.signatureInput]).toMatch(new RegExp(`^lgsp=\\("@status" "content-digest" "x-request-id" "@method";req "@target-uri";req "x-signature";req;key="sig1"\\);created=\\d+;keyid="${kid}"`));
    const verify = (responseBody: Buffer) =>
      verifyLgspResponseSignature(
        { status: answer.status, headers: answer.headers, body: responseBody },
        { method: 'POST', url: `${PUBLIC_URL}/v1/records/items?nam=2026`, headers },
        { keyLookup: (keyid) => (keyid === kid ? key : undefined), now: () => new Date(now), requestSignature: { label: 'sig1', field: 'x-signature' } },
      );
    expect(await verify(answer.body)).toMatchObject({ ok: true, keyid: kid, alg: 'ecdsa-p256-sha256' });
    const altered = Buffer.from(answer.body);
    altered[2] ^= 1;
    expect(await verify(altered)).toMatchObject({ ok: false, reason: 'digest-mismatch' });

    const record = await recordOf(answer);
    expect(record?.signature).toEqual({
      verified: true,
      keyid: 'tu-ha-noi-ec',
      label: 'sig1',
      signatureInput: headers['x-signature-input'],
      signature: headers['x-signature'].slice('sig1=:'.length, -1),
      digests: { 'sha-256': headers['content-digest'].slice('sha-256=:'.length, -1) },
      created: Math.floor(now / 1000),
      alg: 'ecdsa-p256-sha256',
      certificateFingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
    });
    expect(record).toMatchObject({
      service: 'gateway',
      zone: 'party-wan',
      clientIp: WAN,
      apiId: expect.any(String),
      routeTemplate: '/items',
      classification: 'noi-bo',
      throttle: { limit: 'write', quota: 300, remaining: expect.any(Number), admitted: true },
    });
    expect(record?.throttle).not.toHaveProperty('local', true);
    expect(record).not.toHaveProperty('securityEvent');
    expect(Date.parse(record!.upstreamEndedAt!)).toBeGreaterThanOrEqual(Date.parse(record!.upstreamStartedAt!));
    expect(JSON.stringify(record)).not.toContain('soHieu');
  });

  it('accepts RSA certificates too (rsa-v1_5-sha256)', async () => {
    const { answer } = await signedCall('/v1/records/items', { method: 'POST', body, keyid: 'tu-ha-noi-rsa', cert: rsa });
    expect(answer.status).toBe(200);
    expect((await recordOf(answer))?.signature).toMatchObject({ verified: true, keyid: 'tu-ha-noi-rsa', alg: 'rsa-v1_5-sha256' });
  });

  it('refuses an unsigned write with 401 signature_missing, never forwarded', async () => {
    const answer = await send(gw.base, '/v1/records/items', { method: 'POST', headers: { 'x-request-id': randomUUID(), 'content-type': 'application/json' }, body });
    expectRefusal(answer, 401, 'signature_missing');
    expect(answer.headers[LGSP_SIGNATURE_HEADERS.signature]).toBeUndefined();
    expect(await recordOf(answer)).toMatchObject({ errorCode: 'signature_missing', status: 401 });
    // Reads need none.
    expect((await send(gw.base, '/v1/records/items', { headers: { 'x-request-id': randomUUID() } })).status).toBe(200);
  });

  it('refuses a body changed by one byte with 400 digest_mismatch, and records what the signature said', async () => {
    const headers = await signedHeaders({ method: 'POST', url: `${PUBLIC_URL}/v1/records/items`, headers: { 'content-type': 'application/json' }, body, keyid: 'tu-ha-noi-ec', key: ec.key, now: new Date(now) });
    const altered = Buffer.from(body);
    altered[3] ^= 1;
    const answer = await send(gw.base, '/v1/records/items', { method: 'POST', headers, body: altered });
    expectRefusal(answer, 400, 'digest_mismatch');
    expect(await recordOf(answer)).toMatchObject({
      errorCode: 'digest_mismatch',
      securityEvent: 'signature-failure',
      signature: { verified: false, keyid: 'tu-ha-noi-ec', label: 'sig1', signatureInput: headers['x-signature-input'] },
    });
    // The id was not used up by the forged copy: the genuine request still goes through.
    expect((await send(gw.base, '/v1/records/items', { method: 'POST', headers, body })).status).toBe(200);
  });

  it('refuses an unknown keyid, and one registered to another consumer system, with 401 key_unknown', async () => {
    expectRefusal((await signedCall('/v1/records/items', { method: 'POST', body, keyid: 'nobody-2026' })).answer, 401, 'key_unknown');
    const foreign = (await signedCall('/v1/records/items', { method: 'POST', body, keyid: 'bnv-other', cert: other })).answer;
    expectRefusal(foreign, 401, 'key_unknown');
    expect(await recordOf(foreign)).toMatchObject({ securityEvent: 'signature-failure', signature: { verified: false, keyid: 'bnv-other' } });
  });

  it('refuses a signature created more than 300 s ago with 401 signature_expired', async () => {
    const { answer } = await signedCall('/v1/records/items', { method: 'POST', body, created: new Date(now - 301_000) });
    expectRefusal(answer, 401, 'signature_expired');
  });

  it('refuses a replayed X-Request-ID with 409 replay_detected (in-process guard)', async () => {
    const { answer, headers } = await signedCall('/v1/records/items', { method: 'POST', body });
    expect(answer.status).toBe(200);
    const replay = await send(gw.base, '/v1/records/items', { method: 'POST', headers, body });
    expectRefusal(replay, 409, 'replay_detected');
    expect(await recordOf(replay)).toMatchObject({ status: 409, securityEvent: 'replay-detected', consumerId: CONSUMER });
    expect(await recordOf(answer)).not.toHaveProperty('securityEvent');
    // Verify's own refusals are not signed: the request's signature was not accepted.
    expect(replay.headers[LGSP_SIGNATURE_HEADERS.signatureInput]).toBeUndefined();
  });

  it('signs a refusal written after verify accepted the signature', async () => {
    // Validate (phase 70) refuses a body that is not JSON, after verify accepted its signature.
    const notJson = Buffer.from('{"soHieu":');
    const { answer, headers } = await signedCall('/v1/records/items', { method: 'POST', body: notJson });
    expectRefusal(answer, 400, 'validation_failed');
    const { kid, key } = await platformKey();
    const verified = await verifyLgspResponseSignature(
      { status: answer.status, headers: answer.headers, body: answer.body },
      { method: 'POST', url: `${PUBLIC_URL}/v1/records/items`, headers },
      { keyLookup: (keyid) => (keyid === kid ? key : undefined), now: () => new Date(now), requestSignature: { label: 'sig1', field: 'x-signature' } },
    );
    expect(verified).toMatchObject({ ok: true });
  });

  it('serves a Mật operation only signed and from the Party-WAN zone', async () => {
    const path = '/v1/records/dossiers/7';
    const unsigned = await send(gw.base, path, { headers: { 'x-request-id': randomUUID() } });
    expectRefusal(unsigned, 401, 'signature_missing');
    const outside = (await signedCall(path, { forwardedFor: OUTSIDE })).answer;
    expectRefusal(outside, 403, 'zone_forbidden');
    const served = (await signedCall(path)).answer;
    expect(served.status).toBe(200);
    expect(served.json).toEqual({ path: '/dossiers/7' });
    expect(served.headers[LGSP_SIGNATURE_HEADERS.signature]).toMatch(/^lgsp=:/);
    // Every call aimed at Mật data is flagged, served or refused — unless a more severe event applies.
    const mat = { routeTemplate: '/dossiers/{id}', classification: 'mat' };
    expect(await recordOf(unsigned)).toMatchObject({ ...mat, zone: 'party-wan', securityEvent: 'signature-failure' });
    expect(await recordOf(outside)).toMatchObject({ ...mat, zone: 'internet', clientIp: OUTSIDE, securityEvent: 'classified-access', errorCode: 'zone_forbidden' });
    expect(await recordOf(served)).toMatchObject({ ...mat, zone: 'party-wan', status: 200, securityEvent: 'classified-access', signature: { verified: true } });
  });

  it('refuses a certificate revoked in the registry with 401 certificate_revoked, once the change is heard', async () => {
    await database.db.update(certificates).set({ status: 'revoked' }).where(eq(certificates.id, 'tu-ha-noi-rsa'));
    try {
      await changes.publish({ kind: 'registry' });
      let answer: Answer | undefined;
      // The reload is asynchronous: the first refusal after it is the one asserted.
      for (let attempt = 0; attempt < 50; attempt++) {
        answer = (await signedCall('/v1/records/items', { method: 'POST', body, keyid: 'tu-ha-noi-rsa', cert: rsa })).answer;
        if (answer.status !== 200) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expectRefusal(answer as Answer, 401, 'certificate_revoked');
    } finally {
      await database.db.update(certificates).set({ status: 'active' }).where(eq(certificates.id, 'tu-ha-noi-rsa'));
      await changes.publish({ kind: 'registry' });
    }
  });

  it('refuses a certificate past its notAfter with 401 certificate_expired', async () => {
    const saved = now;
    const notAfter = new Date(new X509Certificate(ec.pem).validTo).getTime();
    now = notAfter + 60_000;
    const savedToken = token;
    token = await new TestTokenMinter(PUBLIC_URL, () => now).mint(tokenKey, { claims: { sub: CONSUMER } });
    try {
      expectRefusal((await signedCall('/v1/records/items', { method: 'POST', body })).answer, 401, 'certificate_expired');
    } finally {
      now = saved;
      token = savedToken;
    }
  });

  describe('interoperability with http-message-signatures', () => {
    it('accepts a request it signed (standard Signature fields) and its answer verifies with it', async () => {
      const path = '/v1/records/items?nam=2026';
      const message = {
        method: 'POST',
        url: PUBLIC_URL + path,
        headers: {
          'content-type': 'application/json',
          'x-request-id': randomUUID(),
          'content-digest': `sha-256=:${createHash('sha256').update(body).digest('base64')}:`,
        } as Record<string, string>,
      };
      const signed = await httpbis.signMessage(
        {
          key: createSigner(ec.key, 'ecdsa-p256-sha256', 'tu-ha-noi-ec'),
          name: 'sig1',
          fields: ['@method', '@target-uri', 'x-request-id', 'content-digest'],
          params: ['created', 'keyid', 'alg'],
          paramValues: { created: new Date(now) },
        },
        message,
      );
      const answer = await send(gw.base, path, { method: 'POST', headers: signed.headers as Record<string, string>, body });
      expect(answer.status).toBe(200);

      const { kid, key } = await platformKey();
      expect(answer.headers[LGSP_SIGNATURE_HEADERS.signatureInput]).toContain('"signature";req;key="sig1"');
      const verified = await httpbis.verifyMessage(
        {
          keyLookup: async ({ keyid }) => (keyid === kid ? { id: kid, algs: ['ecdsa-p256-sha256'], verify: createVerifier(key, 'ecdsa-p256-sha256') } : null),
          requiredFields: ['@status', 'content-digest', 'x-request-id'],
        },
        {
          status: answer.status,
          headers: {
            ...answer.headers,
            'signature-input': answer.headers[LGSP_SIGNATURE_HEADERS.signatureInput],
            signature: answer.headers[LGSP_SIGNATURE_HEADERS.signature],
          },
        },
        signed,
      );
      expect(verified).toBe(true);
    });
  });

  describe('with LGSP_CRL', () => {
    let crlDir: string;
    let withCrl: Gateway;

    beforeAll(async () => {
      crlDir = await mkdtemp(join(tmpdir(), 'lgsp-sig-crl-'));
      const file = await generateCrl(crlDir, [new X509Certificate(rsa.pem).serialNumber]);
      withCrl = await startGateway({ LGSP_CRL: file });
    });

    afterAll(async () => {
      await withCrl?.close();
      await rm(crlDir, { recursive: true, force: true });
    });

    it('refuses a certificate on the CRL with 401 certificate_revoked, and serves the others', async () => {
      expectRefusal((await signedCall('/v1/records/items', { method: 'POST', body, keyid: 'tu-ha-noi-rsa', cert: rsa, base: withCrl.base })).answer, 401, 'certificate_revoked');
      expect((await signedCall('/v1/records/items', { method: 'POST', body, base: withCrl.base })).answer.status).toBe(200);
    });
    describe('served over http', () => {
      let server: Server;
      let fetched = 0;
      let fromUrl: Gateway;

      beforeAll(async () => {
        const crl = await readFile(join(crlDir, 'crl.pem'));
        server = createServer((_req, res) => {
          fetched++;
          res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(crl);
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        fromUrl = await startGateway({ LGSP_CRL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ca.crl` });
      });

      afterAll(async () => {
        await fromUrl?.close();
        server?.closeAllConnections();
        if (server !== undefined) await new Promise((resolve) => server.close(resolve));
      });

      it('fetches LGSP_CRL from its URL at start and refuses the certificates on it', async () => {
        expect(fetched).toBe(1);
        expectRefusal((await signedCall('/v1/records/items', { method: 'POST', body, keyid: 'tu-ha-noi-rsa', cert: rsa, base: fromUrl.base })).answer, 401, 'certificate_revoked');
        expect((await signedCall('/v1/records/items', { method: 'POST', body, base: fromUrl.base })).answer.status).toBe(200);
      });
    });
  });

  describe('with LGSP_SIGNING_KEY (RSA-2048) and LGSP_SIGNING_CERT', () => {
    let keyDir: string;
    let certificate: X509Certificate;
    let withKey: Gateway;

    beforeAll(async () => {
      keyDir = await mkdtemp(join(tmpdir(), 'lgsp-sig-key-'));
      const run = promisify(execFile);
      const keyFile = join(keyDir, 'platform.key.pem');
      const certFile = join(keyDir, 'platform.pem');
      await run('openssl', ['genpkey', '-quiet', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyFile]);
      await run('openssl', ['req', '-x509', '-new', '-key', keyFile, '-subj', '/CN=LGSP test platform signing', '-days', '2', '-out', certFile]);
      certificate = new X509Certificate(await readFile(certFile));
      withKey = await startGateway({ LGSP_SIGNING_KEY: keyFile, LGSP_SIGNING_CERT: certFile });
    }, 60_000);

    afterAll(async () => {
      await withKey?.close();
      await rm(keyDir, { recursive: true, force: true });
    });

    it('publishes the key with its certificate (x5c) and signs answers (rsa-v1_5-sha256) that verify with that certificate', async () => {
      const res = await request(withKey.base + SIGNING_KEYS_PATH);
      const { keys } = (await res.body.json()) as { keys: JWK[] };
      expect(keys).toHaveLength(1);
      const [jwk] = keys;
      expect(jwk).toMatchObject({ kty: 'RSA', alg: 'rsa-v1_5-sha256', use: 'sig', x5c: [certificate.raw.toString('base64')] });
      expect(Buffer.from(jwk.n as string, 'base64url').length).toBe(256);

      const { answer, headers } = await signedCall('/v1/records/items', { method: 'POST', body, base: withKey.base });
      expect(answer.status).toBe(200);
      expect(answer.headers[LGSP_SIGNATURE_HEADERS.signatureInput]).toContain(`keyid="${jwk.kid}";alg="rsa-v1_5-sha256"`);
      // The key the consumer takes from x5c, not from the bare JWK members.
      const published = new X509Certificate(Buffer.from((jwk.x5c as string[])[0], 'base64'));
      const verify = (responseBody: Buffer) =>
        verifyLgspResponseSignature(
          { status: answer.status, headers: answer.headers, body: responseBody },
          { method: 'POST', url: `${PUBLIC_URL}/v1/records/items`, headers },
          { keyLookup: (keyid) => (keyid === jwk.kid ? published.publicKey : undefined), now: () => new Date(now), requestSignature: { label: 'sig1', field: 'x-signature' } },
        );
      expect(await verify(answer.body)).toMatchObject({ ok: true, keyid: jwk.kid, alg: 'rsa-v1_5-sha256' });
      const altered = Buffer.from(answer.body);
      altered[2] ^= 1;
      expect(await verify(altered)).toMatchObject({ ok: false, reason: 'digest-mismatch' });
    });
  });

  describe('with LGSP_SIGN_ALL_RESPONSES', () => {
    let all: Gateway;
    /** Each call from an address of its own: the guard allows one call per address per second (the clock is frozen). */
    let address = 0;
    const nextAddress = () => `10.20.7.${++address}`;

    beforeAll(async () => {
      all = await startGateway({ LGSP_SIGN_ALL_RESPONSES: 'true', LGSP_GUARD_PER_IP_PER_SECOND: '1' });
    });

    afterAll(async () => {
      await all?.close();
    });

    /** Sends an unsigned call to `all` and verifies the answer's signature with the published key (no `;req` signature). */
    async function unsignedCall(path: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer; forwardedFor?: string } = {}) {
      const headers = { 'x-request-id': randomUUID(), ...init.headers };
      const answer = await send(all.base, path, { ...init, headers, forwardedFor: init.forwardedFor ?? nextAddress() });
      const keys = await request(all.base + SIGNING_KEYS_PATH);
      const [jwk] = ((await keys.body.json()) as { keys: JWK[] }).keys;
      const key = createPublicKey({ key: jwk as never, format: 'jwk' });
      const verified = await verifyLgspResponseSignature(
        { status: answer.status, headers: answer.headers, body: answer.body },
        { method: init.method ?? 'GET', url: PUBLIC_URL + path, headers: { authorization: `Bearer ${token}`, ...headers } },
        { keyLookup: (keyid) => (keyid === jwk.kid ? key : undefined), now: () => new Date(now) },
      );
      return { answer, verified, requestId: headers['x-request-id'] };
    }

    const UNSIGNED_REQUEST_COMPONENTS = /^lgsp=\("@status" "content-digest" "x-request-id" "@method";req "@target-uri";req\);created=\d+;keyid="[^"]+";alg="ecdsa-p256-sha256"$/;

    it('signs a served answer to an unsigned request', async () => {
      const { answer, verified, requestId } = await unsignedCall('/v1/records/items');
      expect(answer.status).toBe(200);
      expect(answer.headers['x-request-id']).toBe(requestId);
      expect(answer.headers[LGSP_SIGNATURE_HEADERS.signatureInput]).toMatch(UNSIGNED_REQUEST_COMPONENTS);
      expect(verified).toMatchObject({ ok: true });
    });

    it('signs refusals written before verify: invalid_token, not_found, rate_limited (guard, before the request id is read)', async () => {
      const invalid = await unsignedCall('/v1/records/items', { headers: { authorization: 'Bearer not-a-token' } });
      expectRefusal(invalid.answer, 401, 'invalid_token');
      expect(invalid.answer.headers[LGSP_SIGNATURE_HEADERS.signatureInput]).toMatch(UNSIGNED_REQUEST_COMPONENTS);
      expect(invalid.verified).toMatchObject({ ok: true });

      const missing = await unsignedCall('/v1/records/nowhere');
      expectRefusal(missing.answer, 404, 'not_found');
      expect(missing.verified).toMatchObject({ ok: true });

      const forwardedFor = nextAddress();
      expect((await unsignedCall('/v1/records/items', { forwardedFor })).answer.status).toBe(200);
      const limited = await unsignedCall('/v1/records/items', { forwardedFor });
      expectRefusal(limited.answer, 429, 'rate_limited');
      expect(limited.answer.headers['x-request-id']).toBe(limited.requestId);
      expect(limited.verified).toMatchObject({ ok: true });
    });

    it("signs verify's own refusals too, without covering the signature it refused", async () => {
      const refused = await unsignedCall('/v1/records/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expectRefusal(refused.answer, 401, 'signature_missing');
      expect(refused.answer.headers[LGSP_SIGNATURE_HEADERS.signatureInput]).toMatch(UNSIGNED_REQUEST_COMPONENTS);
      expect(refused.verified).toMatchObject({ ok: true });
      // A body altered after the answer was signed no longer verifies.
      const altered = Buffer.from(refused.answer.body);
      altered[2] ^= 1;
      const [jwk] = ((await (await request(all.base + SIGNING_KEYS_PATH)).body.json()) as { keys: JWK[] }).keys;
      expect(
        await verifyLgspResponseSignature(
          { status: refused.answer.status, headers: refused.answer.headers, body: altered },
          { method: 'POST', url: `${PUBLIC_URL}/v1/records/items`, headers: {} },
          { keyLookup: () => createPublicKey({ key: jwk as never, format: 'jwk' }), now: () => new Date(now) },
        ),
      ).toMatchObject({ ok: false, reason: 'digest-mismatch' });
    });

    it('leaves unsigned only an answer with no X-Request-ID to cover (request_id_invalid)', async () => {
      const answer = await send(all.base, '/v1/records/items', { headers: { 'x-request-id': 'not-a-uuid' }, forwardedFor: nextAddress() });
      expectRefusal(answer, 400, 'request_id_invalid');
      expect(answer.headers[LGSP_SIGNATURE_HEADERS.signatureInput]).toBeUndefined();
    });
  });

  describe('with REDIS_URL', () => {
    let shared: Gateway;
    let redis: Redis;
    const used: string[] = [];

    beforeAll(async () => {
      redis = new Redis(REDIS_URL, { lazyConnect: true });
      await redis.connect();
      shared = await startGateway({ REDIS_URL });
    });

    afterAll(async () => {
      await shared?.close();
      if (used.length > 0) await redis.del(...used.map((id) => `lgsp:replay:${CONSUMER}:${id}`));
      redis?.disconnect();
    });

    it('records each X-Request-ID in Redis (SET NX EX) and refuses its replay with 409 replay_detected', async () => {
      const { answer, headers } = await signedCall('/v1/records/items', { method: 'POST', body, base: shared.base });
      used.push(headers['x-request-id']);
      expect(answer.status).toBe(200);
      expect(await redis.exists(`lgsp:replay:${CONSUMER}:${headers['x-request-id']}`)).toBe(1);
      expect(await redis.ttl(`lgsp:replay:${CONSUMER}:${headers['x-request-id']}`)).toBeGreaterThan(0);
      expectRefusal(await send(shared.base, '/v1/records/items', { method: 'POST', headers, body }), 409, 'replay_detected');
    });
  });
});
