import { generateKeyPairSync } from 'node:crypto';

import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP, ADMIN_SCOPE, type AdminRole } from '@lgsp/contracts';
import { adminClients, hashSecret, iamSigningKeys, type LgspDatabase, migrateDatabase, openDatabase } from '@lgsp/data';
import { createHttpApp, listenOn } from '@lgsp/http';
import { createLogger } from '@lgsp/observability';
import { createTestDatabase, type TestDatabase } from '@lgsp/testing';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from 'jose';

import { LedgerApiModule } from '../src/lib/api/ledger-api.module';
import type { StatementSigner } from '../src/lib/api/statement-signature.util';
import { SqlLedgerQueries } from '../src/lib/store/sql-ledger.queries';

const PUBLIC_URL = 'https://lgsp.test';

export interface AdminIdentity {
  readonly clientId: string;
  readonly roles: readonly AdminRole[];
  readonly organisation?: string;
}

export interface LedgerApiAnswer {
  status: number;
  headers: Headers;
  raw: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON whose shape each test asserts
  body: any;
}

export interface TestLedgerApi {
  readonly url: string;
  readonly database: LgspDatabase;
  /** The platform's published statement keys. */
  readonly jwks: JSONWebKeySet;
  tokenFor(identity: AdminIdentity): Promise<string>;
  call(method: string, path: string, options?: { token?: string; body?: string | object; contentType?: string; headers?: Record<string, string> }): Promise<LedgerApiAnswer>;
  close(): Promise<void>;
}

/**
 * LedgerApiModule on an admin listener of its own (ephemeral port) over a real PostgreSQL
 * database, with SqlLedgerQueries, an ES256 platform key, and admin tokens signed by a key
 * published in iam_signing_keys as IAM does. The listener's body limit is small (64 KiB) so the
 * reconciliation route's own limit shows.
 */
export async function startTestLedgerApi(): Promise<TestLedgerApi> {
  const server: TestDatabase = await createTestDatabase();
  const database = await openDatabase({ url: server.url });
  await migrateDatabase(database);

  const tokenKeys = await generateKeyPair(ACCESS_TOKEN_ALG);
  const tokenKid = 'ledger-test-admin-key';
  await database.db.insert(iamSigningKeys).values({
    kid: tokenKid,
    alg: ACCESS_TOKEN_ALG,
    publicJwk: (await exportJWK(tokenKeys.publicKey)) as Record<string, unknown>,
    privateKeyCiphertext: 'not-used-by-the-ledger',
    activatesAt: new Date(Date.now() - 86_400_000),
    retiresAt: new Date(Date.now() + 365 * 86_400_000),
    expiresAt: new Date(Date.now() + 366 * 86_400_000),
  });

  const platformKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer: StatementSigner = { keyid: 'platform-test-key', alg: 'ES256', privateKey: platformKey.privateKey };
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(platformKey.publicKey)), kid: signer.keyid, alg: signer.alg, use: 'sig' }] };

  @Module({ imports: [LedgerApiModule.forRoot({ queries: new SqlLedgerQueries(database), signer, database, publicUrl: PUBLIC_URL })] })
  class LedgerTestAppModule {}
  const logger = createLogger({ service: 'lgsp-ledger', level: 'warn', destination: { write: () => undefined } });
  const { app } = await createHttpApp(LedgerTestAppModule, { service: 'lgsp-ledger', logger, bodyLimit: 64 * 1024 });
  const url = await listenOn(app as NestFastifyApplication, '127.0.0.1', 0);

  return {
    url,
    database,
    jwks,
    async tokenFor(identity) {
      await database.db
        .insert(adminClients)
        .values({ clientId: identity.clientId, roles: [...identity.roles], organisation: identity.organisation ?? null, secretHash: hashSecret('unused-secret', 'ledger-test-pepper-ledger-test-pepper') })
        .onConflictDoUpdate({ target: adminClients.clientId, set: { roles: [...identity.roles], organisation: identity.organisation ?? null } });
      const iat = Math.floor(Date.now() / 1000);
      return new SignJWT({ client_id: identity.clientId, scope: ADMIN_SCOPE, roles: identity.roles })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYP, kid: tokenKid })
        .setIssuer(PUBLIC_URL)
        .setAudience(PUBLIC_URL)
        .setSubject(identity.clientId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 600)
        .setJti(`${identity.clientId}-${iat}-${Math.random().toString(36).slice(2)}`)
        .sign(tokenKeys.privateKey);
    },
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] = options.contentType ?? 'application/json';
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      const response = await fetch(url + path, { method, headers, body });
      const raw = Buffer.from(await response.arrayBuffer());
      const type = response.headers.get('content-type') ?? '';
      return { status: response.status, headers: response.headers, raw, body: type.includes('json') && raw.length > 0 ? JSON.parse(raw.toString('utf8')) : raw.toString('utf8') };
    },
    async close() {
      await app.close();
      await database.close();
      await server.drop();
    },
  };
}
