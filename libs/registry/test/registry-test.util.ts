import type { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { configFrom, type LgspConfig } from '@lgsp/config';
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP, ADMIN_SCOPE, type AdminRole, type RegistryChange } from '@lgsp/contracts';
import {
  adminClients,
  type ChangeChannel,
  hashSecret,
  iamSigningKeys,
  InProcessChangeChannel,
  type LgspDatabase,
  migrateDatabase,
  openDatabase,
} from '@lgsp/data';
import { createLogger } from '@lgsp/observability';
import { createTestDatabase, type TestDatabase } from '@lgsp/testing';
import { sql } from 'drizzle-orm';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

import { createRegistryApp, type RegistryApp } from '../src';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are JSON whose shape each test asserts
export type AdminAnswer = any;
export const PEPPER = 'registry-test-pepper-registry-test-pepper';
export const SETUP_TIMEOUT_MS = 60_000;

const ALL_TABLES = [
  'admin_clients', 'api_versions', 'apis', 'audit_log', 'blocks', 'certificates', 'consumer_systems', 'credentials',
  'notifications', 'rate_limits', 'registrations', 'subscriptions', 'iam_revoked_tokens', 'iam_signing_keys',
];

export interface AdminIdentity {
  readonly clientId: string;
  readonly roles: readonly AdminRole[];
  readonly organisation?: string;
}

export interface TestRegistry {
  readonly url: string;
  readonly config: LgspConfig;
  readonly database: LgspDatabase;
  readonly changes: ChangeChannel;
  /** Every change published on the channel, in order. */
  readonly published: RegistryChange[];
  readonly app: RegistryApp;
  /** Moves the registry's clock (the 5-working-day, 60-day and 180-day rules). */
  setNow(date: Date): void;
  now(): Date;
  /** Creates the admin client (when new) and an access token for it, signed with a key published in the IAM tables. */
  tokenFor(identity: AdminIdentity, options?: { expiresInSeconds?: number; scope?: string }): Promise<string>;
  /** fetch against the admin listener with a bearer token and a JSON body. */
  call(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; body: AdminAnswer }>;
  truncate(): Promise<void>;
  close(): Promise<void>;
}

export interface StartRegistryOptions {
  readonly env?: Record<string, string>;
  readonly trustAnchors?: readonly X509Certificate[];
  readonly now?: Date;
}

/**
 * The registry's admin listener on an ephemeral port over a real PostgreSQL database of its own.
 * Admin tokens come from a signing key written to iam_signing_keys the way IAM publishes its keys;
 * the registry verifies them from that table, as it does in production.
 */
export async function startTestRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const server: TestDatabase = await createTestDatabase();
  const database = await openDatabase({ url: server.url });
  await migrateDatabase(database);
  const dataDir = mkdtempSync(join(tmpdir(), 'lgsp-registry-'));
  const config = configFrom({ LGSP_ADMIN_PORT: '0', LGSP_DATA_DIR: dataDir, LGSP_PUBLIC_URL: 'https://lgsp.test', ...options.env });
  const changes = new InProcessChangeChannel();
  const published: RegistryChange[] = [];
  changes.subscribe((change) => published.push(change));
  let now = options.now ?? new Date();
  const logger = createLogger({ service: 'lgsp-registry', level: 'warn', destination: { write: () => undefined } });
  const app = await createRegistryApp({
    config,
    logger,
    database,
    changes,
    pepper: PEPPER,
    clock: () => now,
    trustAnchors: options.trustAnchors,
    withProcessMetrics: false,
  });
  const url = await app.listen();

  const keys = await generateKeyPair(ACCESS_TOKEN_ALG);
  const kid = 'registry-test-key';
  const publicJwk = await exportJWK(keys.publicKey);
  const publishKey = async () => {
    await database.db
      .insert(iamSigningKeys)
      .values({
        kid,
        alg: ACCESS_TOKEN_ALG,
        publicJwk: publicJwk as Record<string, unknown>,
        privateKeyCiphertext: 'not-used-by-the-registry',
        activatesAt: new Date(Date.now() - 86_400_000),
        retiresAt: new Date(Date.now() + 365 * 86_400_000),
        expiresAt: new Date(Date.now() + 366 * 86_400_000),
      })
      .onConflictDoNothing();
  };
  await publishKey();
  // The registry loaded its key set at start, before the key existed: announce it as IAM does.
  await changes.publish({ kind: 'signing-keys' });

  return {
    url,
    config,
    database,
    changes,
    published,
    app,
    setNow: (date) => void (now = date),
    now: () => now,
    async tokenFor(identity, tokenOptions = {}) {
      await database.db
        .insert(adminClients)
        .values({
          clientId: identity.clientId,
          roles: [...identity.roles],
          organisation: identity.organisation ?? null,
          secretHash: hashSecret('unused-secret', PEPPER),
        })
        .onConflictDoUpdate({ target: adminClients.clientId, set: { roles: [...identity.roles], organisation: identity.organisation ?? null } });
      const iat = Math.floor(Date.now() / 1000);
      return new SignJWT({ client_id: identity.clientId, scope: tokenOptions.scope ?? ADMIN_SCOPE, roles: identity.roles })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYP, kid })
        .setIssuer(config.publicUrl)
        .setAudience(config.publicUrl)
        .setSubject(identity.clientId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + (tokenOptions.expiresInSeconds ?? 3600))
        .setJti(`${identity.clientId}-${iat}-${Math.random().toString(36).slice(2)}`)
        .sign(keys.privateKey);
    },
    async call(method, path, callOptions = {}) {
      const headers: Record<string, string> = { ...callOptions.headers };
      if (callOptions.token !== undefined) headers.authorization = `Bearer ${callOptions.token}`;
      if (callOptions.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(url + path, { method, headers, body: callOptions.body === undefined ? undefined : JSON.stringify(callOptions.body) });
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      return { status: response.status, headers: response.headers, body: type.includes('json') && text.length > 0 ? JSON.parse(text) : text };
    },
    async truncate() {
      await database.db.execute(sql.raw(`truncate table ${ALL_TABLES.join(', ')} cascade`));
      await publishKey();
      published.length = 0;
    },
    async close() {
      await app.close();
      await changes.close();
      await database.close();
      await server.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
