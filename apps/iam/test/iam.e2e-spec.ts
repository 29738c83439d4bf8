import { execFileSync } from 'node:child_process';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { configFrom, resolveSecretPepper } from '@lgsp/config';
import type { RegistryChange } from '@lgsp/contracts';
import type { LgspDatabase } from '@lgsp/data';
import {
  PostgresChangeChannel,
  adminClients,
  apiVersions,
  apis,
  certificates,
  consumerSystems,
  credentials,
  hashSecret,
  migrateDatabase,
  openDatabase,
  parseCertificate,
  subscriptions,
} from '@lgsp/data';
import { readSegments } from '@lgsp/ledger-client';
import type { TestDatabase, TsProcess } from '@lgsp/testing';
import { closedPort, createTestDatabase, startTsProcess } from '@lgsp/testing';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { request } from 'undici';

const MAIN = 'apps/iam/src/main.ts';
const PEPPER = 'e2e-pepper-e2e-pepper-e2e-pepper-e2e-pepper';
const KEY_ENCRYPTION_KEY = 'e2e-key-encryption-key-e2e-key-encryption-key';
const CONSUMER_SECRET = 'e2e-consumer-secret-Zx8QmT4vLp2Nw7Rk5Hs9Dc3';
const ADMIN_SECRET = 'e2e-admin-secret-Qw3Er5Ty7Ui9Op1As3Df5Gh7J';





/** A key pair and self-signed certificate from the openssl CLI, as a test-only fixture. */
function makeCertificate(dir: string): { privateKeyPem: string; certificatePem: string } {
  const keyFile = join(dir, 'client-key.pem');
  const certFile = join(dir, 'client-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=tu-ha-noi.qlcb', '-days', '1'], { stdio: 'ignore' });
  return { privateKeyPem: execFileSync('cat', [keyFile], { encoding: 'utf8' }), certificatePem: execFileSync('cat', [certFile], { encoding: 'utf8' }) };
}

async function seed(database: LgspDatabase, pepper: string, certificatePem?: string): Promise<void> {
  const { db } = database;
  await db.insert(consumerSystems).values({ id: 'tu-ha-noi.qlcb', name: 'Hệ thống quản lý cán bộ, Thành uỷ Hà Nội' });
  const [api] = await db.insert(apis).values({ domain: 'directory' }).returning({ id: apis.id });
  const [version] = await db
    .insert(apiVersions)
    .values({ apiId: api.id, version: 'v1', status: 'published', classification: 'noi-bo', upstreamSandbox: 'http://127.0.0.1:9', upstreamProduction: 'http://127.0.0.1:9', openapi: {}, openapiSha256: 'x' })
    .returning({ id: apiVersions.id });
  await db.insert(subscriptions).values({ consumerId: 'tu-ha-noi.qlcb', apiVersionId: version.id, environment: 'sandbox' });
  await db.insert(credentials).values({ clientId: 'demo-consumer', consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox', secretHash: hashSecret(CONSUMER_SECRET, pepper) });
  await db.insert(adminClients).values({ clientId: 'dgo-admin', roles: ['dgo-admin'], secretHash: hashSecret(ADMIN_SECRET, pepper) });
  if (certificatePem !== undefined) {
    const info = parseCertificate(certificatePem);
    await db.insert(certificates).values({ id: 'tu-ha-noi-2026', consumerId: 'tu-ha-noi.qlcb', ...info });
  }
}


/** The real composition root as its own process (tools/scripts/run-ts.mjs, as `npm start` runs it). */
function startMain(env: Record<string, string>): TsProcess {
  return startTsProcess(MAIN, { LGSP_LOG_LEVEL: 'info', ...env });
}

describe('apps/iam main on PostgreSQL, with a real third-party OAuth client', () => {
  jest.setTimeout(90_000);
  let dir: string;
  let server: TestDatabase;
  let database: LgspDatabase;
  let certificate: { privateKeyPem: string; certificatePem: string };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-iam-e2e-'));
    certificate = makeCertificate(dir);
    server = await createTestDatabase();
    database = await openDatabase({ url: server.url });
    await migrateDatabase(database);
    await seed(database, PEPPER, certificate.certificatePem);
  }, 60_000);

  afterAll(async () => {
    await database?.close();
    await server?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is discovered by oauth4webapi, issues tokens jose verifies, revokes through the change channel, and stops on SIGTERM', async () => {
    const port = await closedPort();
    const child = startMain({
      DATABASE_URL: server.url,
      LGSP_SECRET_PEPPER: PEPPER,
      LGSP_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY,
      LGSP_PORT: String(port),
      LGSP_DATA_DIR: dir,
    });
    const stdout = child.stdout;
    const stderr = child.stderr;
    const changes = await PostgresChangeChannel.open({ url: server.url });
    const heard: { change: RegistryChange; at: number }[] = [];
    changes.subscribe((change) => heard.push({ change, at: Date.now() }));
    try {
      const [, url] = await child.waitFor(/LGSP IAM listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const issuer = new URL(url);
      const insecure = { [oauth.allowInsecureRequests]: true };

      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
      expect(as).toMatchObject({ issuer: url, token_endpoint: `${url}/oauth2/token`, jwks_uri: `${url}/oauth2/jwks` });
      const oidc = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
      expect(oidc.token_endpoint).toBe(as.token_endpoint);

      const consumer: oauth.Client = { client_id: 'demo-consumer' };
      const jwks = createRemoteJWKSet(new URL(as.jwks_uri!));
      const verify = (token: string) => jwtVerify(token, jwks, { issuer: url, audience: url, typ: 'at+jwt', algorithms: ['ES256'] });

      const tokens: string[] = [];
      for (const auth of [oauth.ClientSecretBasic(CONSUMER_SECRET), oauth.ClientSecretPost(CONSUMER_SECRET)]) {
        const response = await oauth.clientCredentialsGrantRequest(as, consumer, auth, new URLSearchParams({ scope: 'directory:v1' }), insecure);
        const result = await oauth.processClientCredentialsResponse(as, consumer, response);
        expect(result).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: 'directory:v1' });
        const { payload, protectedHeader } = await verify(result.access_token);
        expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
        expect(payload).toMatchObject({ sub: 'tu-ha-noi.qlcb', client_id: 'demo-consumer', env: 'sandbox', scope: 'directory:v1' });
        tokens.push(result.access_token);
      }

      const key = await webcrypto.subtle.importKey('pkcs8', createPrivateKey(certificate.privateKeyPem).export({ format: 'der', type: 'pkcs8' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
      const jwtAuth = oauth.PrivateKeyJwt({ key, kid: 'tu-ha-noi-2026' });
      const viaJwt = await oauth.processClientCredentialsResponse(as, consumer, await oauth.clientCredentialsGrantRequest(as, consumer, jwtAuth, new URLSearchParams(), insecure));
      expect((await verify(viaJwt.access_token)).payload).toMatchObject({ client_id: 'demo-consumer' });
      tokens.push(viaJwt.access_token);

      // The holder introspects its token, revokes it, and every subscriber of the channel hears it within 2 s.
      const introspected = await oauth.processIntrospectionResponse(as, consumer, await oauth.introspectionRequest(as, consumer, oauth.ClientSecretBasic(CONSUMER_SECRET), tokens[0], insecure));
      expect(introspected).toMatchObject({ active: true, client_id: 'demo-consumer', sub: 'tu-ha-noi.qlcb' });
      const revokedAt = Date.now();
      await oauth.processRevocationResponse(await oauth.revocationRequest(as, consumer, oauth.ClientSecretBasic(CONSUMER_SECRET), tokens[0], insecure));
      for (let i = 0; i < 40 && !heard.some((h) => h.change.kind === 'token-revoked'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      const revocation = heard.find((h) => h.change.kind === 'token-revoked');
      expect(revocation?.change).toMatchObject({ kind: 'token-revoked', jti: expect.any(String) });
      expect(revocation!.at - revokedAt).toBeLessThan(2000);
      const admin: oauth.Client = { client_id: 'dgo-admin' };
      const afterRevocation = await oauth.processIntrospectionResponse(as, admin, await oauth.introspectionRequest(as, admin, oauth.ClientSecretPost(ADMIN_SECRET), tokens[0], insecure));
      expect(afterRevocation.active).toBe(false);

      const bad = await request(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=demo-consumer&client_secret=wrong' });
      expect({ status: bad.statusCode, body: await bad.body.json() }).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } });
      expect((await request(`${url}/health/ready`)).statusCode).toBe(200);

      expect({ code: await child.stop(), stderr: stderr() }).toMatchObject({ code: 0 });

      // Its ledger outbox holds one record per OAuth request, and no secret or token is in it or in the logs.
      const { records } = await readSegments(join(dir, 'ledger', 'iam-outbox'));
      expect(records.filter((r) => r.path === '/oauth2/token').map((r) => [r.status, r.clientId, r.errorCode])).toEqual([
        [200, 'demo-consumer', undefined],
        [200, 'demo-consumer', undefined],
        [200, 'demo-consumer', undefined],
        [401, undefined, 'invalid_client'],
      ]);
      expect(records.filter((r) => r.path !== '/oauth2/token').map((r) => [r.path, r.status])).toEqual([
        ['/oauth2/introspect', 200],
        ['/oauth2/revoke', 200],
        ['/oauth2/introspect', 200],
      ]);
      const everything = JSON.stringify(records) + stdout() + stderr();
      for (const canary of [CONSUMER_SECRET, ADMIN_SECRET, ...tokens, ...tokens.map((t) => t.split('.')[2])]) expect(everything.includes(canary)).toBe(false);
    } finally {
      await changes.close();
      if (child.child.exitCode === null) await child.stop('SIGKILL');
    }
  });

  it('refuses to start with another key-encryption key than the stored keys were made with', async () => {
    const child = startMain({ DATABASE_URL: server.url, LGSP_SECRET_PEPPER: PEPPER, LGSP_KEY_ENCRYPTION_KEY: 'another-key-encryption-key-another-key-encr', LGSP_PORT: String(await closedPort()), LGSP_DATA_DIR: dir });
    const stderr = child.stderr;
    const stdout = child.stdout;
    const [code] = [await child.exited()];
    expect(code).toBe(1);
    expect(stderr()).toContain('LGSP_KEY_ENCRYPTION_KEY');
    expect(stdout()).not.toContain('listening on');
  });

  it('refuses to start on PostgreSQL without the pepper and key-encryption key every replica shares', async () => {
    const child = startMain({ DATABASE_URL: server.url, LGSP_DATA_DIR: dir });
    const stderr = child.stderr;
    const [code] = [await child.exited()];
    expect(code).toBe(1);
    expect(stderr()).toContain('LGSP_SECRET_PEPPER');
    expect(stderr()).toContain('LGSP_KEY_ENCRYPTION_KEY');
  });
});

describe('apps/iam main on the embedded default (PGlite, generated pepper and key)', () => {
  jest.setTimeout(90_000);

  it('serves tokens from the data dir and keeps its keys encrypted across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgsp-iam-embedded-'));
    try {
      const pepper = await resolveSecretPepper(configFrom({ LGSP_DATA_DIR: dir }));
      const database = await openDatabase({ dataDir: dir });
      await migrateDatabase(database);
      await seed(database, pepper);
      await database.close();

      const kids: string[] = [];
      for (let run = 0; run < 2; run++) {
        const port = await closedPort();
        const child = startMain({ LGSP_PORT: String(port), LGSP_DATA_DIR: dir });
        const stderr = child.stderr;
        try {
          const [, url] = await child.waitFor(/LGSP IAM listening on (http:\/\/127\.0\.0\.1:\d+)/);
          const response = await request(`${url}/oauth2/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`dgo-admin:${ADMIN_SECRET}`).toString('base64')}` },
            body: 'grant_type=client_credentials',
          });
          const { access_token: token } = (await response.body.json()) as { access_token: string };
          const { protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${url}/oauth2/jwks`)), { issuer: url, audience: url });
          kids.push(protectedHeader.kid!);
          expect({ code: await child.stop(), stderr: stderr() }).toMatchObject({ code: 0 });
        } finally {
          if (child.child.exitCode === null) await child.stop('SIGKILL');
        }
      }
      // A restart signs with the same key: it was stored (encrypted with the generated key) and read back.
      expect(kids[1]).toBe(kids[0]);
      expect((await readFile(join(dir, 'key-encryption-key'), 'utf8')).trim().length).toBeGreaterThanOrEqual(32);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
