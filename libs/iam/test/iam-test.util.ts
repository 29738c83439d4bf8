import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { LgspConfig } from '@lgsp/config';
import { configFrom } from '@lgsp/config';
import type { AdminRole, ApiStatus, ConsumerStatus, Environment, TransactionRecord } from '@lgsp/contracts';
import type { DatabaseKind, LgspDatabase } from '@lgsp/data';
import {
  InProcessChangeChannel,
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
import type { TransactionSink } from '@lgsp/ledger-client';
import { createLogger } from '@lgsp/observability';
import { closedPort, createTestDatabase } from '@lgsp/testing';
import { sql } from 'drizzle-orm';

import type { IamApp, IamModuleOptions } from '../src';
import { createIamApp } from '../src';

export const PEPPER = 'test-pepper-test-pepper-test-pepper-0001';
export const KEY_ENCRYPTION_KEY = 'test-key-encryption-key-test-key-encryption-0001';
/** PGlite starts a WebAssembly PostgreSQL; give set-up more than Jest's 5 s. */
export const SETUP_TIMEOUT_MS = 60_000;

export const IAM_TABLES = ['iam_revoked_tokens', 'iam_signing_keys'] as const;
const ALL_TABLES = ['admin_clients', 'api_versions', 'apis', 'audit_log', 'blocks', 'certificates', 'consumer_systems', 'credentials', 'notifications', 'rate_limits', 'registrations', 'subscriptions', ...IAM_TABLES];

export interface TestDb {
  readonly database: LgspDatabase;
  readonly url?: string;
  truncate(): Promise<void>;
  close(): Promise<void>;
}

/** A migrated database of its own: in-memory PGlite, or a new database on the test PostgreSQL server. */
export async function openTestDb(kind: DatabaseKind): Promise<TestDb> {
  const server = kind === 'postgres' ? await createTestDatabase() : undefined;
  const database = await openDatabase(server ? { url: server.url } : { inMemory: true });
  await migrateDatabase(database);
  return {
    database,
    url: server?.url,
    truncate: async () => {
      await database.db.execute(sql.raw(`truncate table ${ALL_TABLES.join(', ')} cascade`));
    },
    close: async () => {
      await database.close();
      await server?.drop();
    },
  };
}

/** node-postgres and PGlite both answer raw queries with `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/** Every row of every table, as text: what a canary must never be found in. */
export async function dumpAllTables(database: LgspDatabase): Promise<string> {
  const parts: string[] = [];
  for (const table of ALL_TABLES) {
    const result = await database.db.execute(sql.raw(`select to_jsonb(t)::text as row from ${table} t`));
    parts.push(...rowsOf<{ row: string }>(result).map((r) => `${table} ${r.row}`));
  }
  return parts.join('\n');
}

export interface ConsumerSeed {
  readonly id: string;
  readonly status?: ConsumerStatus;
}

export async function seedConsumer(database: LgspDatabase, seed: ConsumerSeed): Promise<void> {
  await database.db.insert(consumerSystems).values({ id: seed.id, name: seed.id, status: seed.status ?? 'active' });
}

export async function seedApiVersion(database: LgspDatabase, domain: string, version: string, status: ApiStatus = 'published'): Promise<string> {
  const [existing] = await database.db.select({ id: apis.id }).from(apis).where(sql`${apis.domain} = ${domain}`);
  const apiId = existing?.id ?? (await database.db.insert(apis).values({ domain }).returning({ id: apis.id }))[0].id;
  const [row] = await database.db
    .insert(apiVersions)
    .values({
      apiId,
      version,
      status,
      classification: 'noi-bo',
      upstreamSandbox: 'http://127.0.0.1:9',
      upstreamProduction: 'http://127.0.0.1:9',
      openapi: { openapi: '3.0.3' },
      openapiSha256: 'x',
    })
    .returning({ id: apiVersions.id });
  return row.id;
}

export async function subscribe(database: LgspDatabase, consumerId: string, apiVersionId: string, environment: Environment): Promise<void> {
  await database.db.insert(subscriptions).values({ consumerId, apiVersionId, environment });
}

export interface CredentialSeed {
  readonly clientId: string;
  readonly consumerId: string;
  readonly secret: string;
  readonly environment?: Environment;
  readonly status?: 'active' | 'revoked';
  readonly tokenTtlSeconds?: number;
}

export async function seedCredential(database: LgspDatabase, seed: CredentialSeed): Promise<void> {
  await database.db.insert(credentials).values({
    clientId: seed.clientId,
    consumerId: seed.consumerId,
    environment: seed.environment ?? 'sandbox',
    secretHash: hashSecret(seed.secret, PEPPER),
    status: seed.status ?? 'active',
    tokenTtlSeconds: seed.tokenTtlSeconds ?? null,
  });
}

export async function seedAdmin(database: LgspDatabase, clientId: string, secret: string, roles: AdminRole[], status: 'active' | 'revoked' = 'active'): Promise<void> {
  await database.db.insert(adminClients).values({ clientId, roles, secretHash: hashSecret(secret, PEPPER), status });
}

export async function seedCertificate(database: LgspDatabase, id: string, consumerId: string, pem: string, status: 'active' | 'revoked' = 'active'): Promise<void> {
  const info = parseCertificate(pem);
  await database.db.insert(certificates).values({
    id,
    consumerId,
    pem: info.pem,
    fingerprintSha256: info.fingerprintSha256,
    subject: info.subject,
    issuer: info.issuer,
    serialNumber: info.serialNumber,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    status,
  });
}

export type KeyKind = 'ec' | 'rsa' | 'ed25519';

export interface TestCertificate {
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

const NEW_KEY: Record<KeyKind, string[]> = {
  ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  rsa: ['-newkey', 'rsa:2048'],
  ed25519: ['-newkey', 'ed25519'],
};

/** A key pair and a self-signed certificate valid from now for `days`, made by the openssl CLI. */
export function makeCertificate(kind: KeyKind, days = 2): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'lgsp-iam-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', ...NEW_KEY[kind], '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', `/CN=lgsp-test-${kind}`, '-days', String(days)], { stdio: 'ignore' });
    return { privateKeyPem: readFileSync(keyFile, 'utf8'), certificatePem: readFileSync(certFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A sink that keeps what it is handed. */
export class MemorySink implements TransactionSink {
  readonly records: TransactionRecord[] = [];
  readonly pending = 0;

  record(record: TransactionRecord): void {
    this.records.push(structuredClone(record));
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}

/** A clock tests move by hand. */
export class TestClock {
  constructor(private current: Date) {}

  readonly now = (): Date => new Date(this.current.getTime());

  set(at: Date): void {
    this.current = new Date(at.getTime());
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface RunningIam {
  readonly base: string;
  readonly iam: IamApp;
  readonly config: LgspConfig;
  readonly sink: MemorySink;
  readonly changes: InProcessChangeChannel;
  /** Every log line written, app and IAM alike. */
  readonly lines: string[];
  readonly sleeps: number[];
  close(): Promise<void>;
}

export interface StartIamOptions {
  readonly database: LgspDatabase;
  readonly env?: Readonly<Record<string, string>>;
  readonly clock?: () => Date;
  readonly keyEncryptionKey?: string;
  readonly extra?: Partial<IamModuleOptions>;
  readonly logLevel?: string;
}

/**
 * The IAM app on a free loopback port with a captured logger, a memory sink, an in-process change
 * channel and a sleep that only records. The issuer (LGSP_PUBLIC_URL, from LGSP_PORT) must name the
 * port actually bound, so a free port is picked first rather than port 0.
 */
export async function startIam(options: StartIamOptions): Promise<RunningIam> {
  const port = await closedPort();
  const dataDir = mkdtempSync(join(tmpdir(), 'lgsp-iam-data-'));
  const config = configFrom({ LGSP_PORT: String(port), LGSP_DATA_DIR: dataDir, LGSP_AUTH_FAILURE_LIMIT: '10000', ...options.env });
  const lines: string[] = [];
  const sleeps: number[] = [];
  const logger = createLogger({ service: 'lgsp-iam', level: options.logLevel ?? 'debug', destination: { write: (line: string) => void lines.push(line) } });
  const sink = new MemorySink();
  const changes = new InProcessChangeChannel();
  const iam = await createIamApp({
    config,
    logger,
    database: options.database,
    changes,
    sink,
    pepper: PEPPER,
    keyEncryptionKey: options.keyEncryptionKey ?? KEY_ENCRYPTION_KEY,
    clock: options.clock,
    sleep: async (ms) => void sleeps.push(ms),
    withProcessMetrics: false,
    ...options.extra,
  });
  const base = await iam.listen();
  return {
    base,
    iam,
    config,
    sink,
    changes,
    lines,
    sleeps,
    close: async () => {
      await iam.close();
      await changes.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function basic(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

export const FORM = 'application/x-www-form-urlencoded';
