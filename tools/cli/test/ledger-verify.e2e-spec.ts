import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { TransactionRecord } from '@lgsp/contracts';
import { canonicalJson, ledgerTransactions, migrateDatabase, openDatabase } from '@lgsp/data';
import type { ChainedDocument, LedgerWriter } from '@lgsp/ledger';
import { DEAD_LETTER_FILE, LedgerIngestor, SegmentOutboxSource, SqlLedgerStore, signStatement } from '@lgsp/ledger';
import { SegmentFileSink } from '@lgsp/ledger-client';
import { platformSigningKeyOf } from '@lgsp/signature';
import { createTestDatabase } from '@lgsp/testing';
import type { TestDatabase } from '@lgsp/testing';
import { eq } from 'drizzle-orm';

const WORKSPACE = join(__dirname, '..', '..', '..');
const LGSP = join(WORKSPACE, 'tools', 'cli', 'bin', 'lgsp.mjs');

async function lgsp(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [LGSP, ...args], { cwd: WORKSPACE, env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

function record(n: number): TransactionRecord {
  return {
    transactionId: `0190f5d2-0000-7000-8000-${String(n).padStart(12, '0')}`,
    receivedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
    durationMs: 3,
    clientIp: '10.0.0.2',
    method: 'GET',
    path: '/v1/directory/organisations',
    status: 200,
    bytesIn: 0,
    bytesOut: 42,
  };
}

/** `lgsp ledger verify` as an operator runs it, on a ledger one record of which was altered in the database. */
describe('lgsp ledger verify', () => {
  jest.setTimeout(90_000);
  let dir: string;
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-cli-ledger-'));
    testDatabase = await createTestDatabase();
  });
  afterAll(async () => {
    await testDatabase.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 1 and names the altered record, checking the heads with the platform signing key', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const keyFile = join(dir, 'signing-key.pem');
    await writeFile(keyFile, pem, { mode: 0o600 });
    const key = await platformSigningKeyOf(pem, keyFile, false);

    const outbox = join(dir, 'outbox');
    const sink = await SegmentFileSink.open({ dir: outbox, flushIntervalMs: 60_000, segmentBytes: 1 << 20 });
    for (let n = 1; n <= 6; n++) sink.record(record(n));
    await sink.close();
    const database = await openDatabase({ url: testDatabase.url });
    try {
      await migrateDatabase(database);
      const ingestor = new LedgerIngestor({ sources: [new SegmentOutboxSource({ directories: [outbox] })], writer: new SqlLedgerStore(database), deadLetterDir: dir, heads: { key, intervalSeconds: 3_600 } });
      await ingestor.runOnce();
      await ingestor.stop();
      const [row] = await database.db.select().from(ledgerTransactions).where(eq(ledgerTransactions.chainSeq, 3));
      const document = JSON.parse(row.document) as ChainedDocument;
      await database.db
        .update(ledgerTransactions)
        .set({ document: canonicalJson({ ...document, http: { ...document.http, response: { ...document.http.response, status_code: 500 } } }) })
        .where(eq(ledgerTransactions.transactionId, row.transactionId));
    } finally {
      await database.close();
    }

    const env = { DATABASE_URL: testDatabase.url, LGSP_SIGNING_KEY: keyFile, LGSP_DATA_DIR: dir, LGSP_SECRET_PEPPER: 'p'.repeat(43), LGSP_KEY_ENCRYPTION_KEY: 'k'.repeat(43) };
    const result = await lgsp(['ledger', 'verify', '--from', '2025-01-01T00:00:00Z', '--to', '2025-01-02T00:00:00Z'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ALTERED files-[0-9a-f-]{36} seq 3 transaction 0190f5d2-0000-7000-8000-000000000003: /);
    expect(result.stdout).toContain('6 record(s), 1 signed head(s) checked');
    expect(result.stdout).toContain('FAILED: 1 problem(s).');
  });

  it('replays a document the store refused: verify names it removed, lgsp ledger replay stores it, verify passes', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const dataDir = join(dir, 'replay');
    const keyFile = join(dir, 'replay-signing-key.pem');
    await writeFile(keyFile, pem, { mode: 0o600 });
    const key = await platformSigningKeyOf(pem, keyFile, false);
    const replayDatabase = await createTestDatabase();
    try {
      const outbox = join(dataDir, 'outbox');
      const sink = await SegmentFileSink.open({ dir: outbox, flushIntervalMs: 60_000, segmentBytes: 1 << 20 });
      for (let n = 1; n <= 5; n++) sink.record(record(n));
      await sink.close();
      const database = await openDatabase({ url: replayDatabase.url });
      try {
        await migrateDatabase(database);
        const store = new SqlLedgerStore(database);
        const refusedId = record(4).transactionId;
        // A store that refuses one document for good (as Elasticsearch does on a mapping conflict).
        const refusing: LedgerWriter = {
          ensureReady: () => store.ensureReady(),
          appendHeads: (heads) => store.appendHeads(heads),
          async append(documents) {
            const result = await store.append(documents.filter((d) => d.transaction.id !== refusedId));
            const refused = documents.filter((d) => d.transaction.id === refusedId).map((document) => ({ document, status: 400, reason: 'mapper_parsing_exception' }));
            return { ...result, rejected: [...result.rejected, ...refused] };
          },
        };
        const ingestor = new LedgerIngestor({ sources: [new SegmentOutboxSource({ directories: [outbox] })], writer: refusing, deadLetterDir: join(dataDir, 'ledger'), heads: { key, intervalSeconds: 3_600 } });
        await ingestor.runOnce();
        await ingestor.stop();
      } finally {
        await database.close();
      }
      const env = { DATABASE_URL: replayDatabase.url, LGSP_SIGNING_KEY: keyFile, LGSP_DATA_DIR: dataDir, LGSP_SECRET_PEPPER: 'p'.repeat(43), LGSP_KEY_ENCRYPTION_KEY: 'k'.repeat(43) };
      const period = ['--from', '2025-01-01T00:00:00Z', '--to', '2025-01-02T00:00:00Z'];
      const before = await lgsp(['ledger', 'verify', ...period], env);
      expect(before.code).toBe(1);
      expect(before.stdout).toMatch(/REMOVED files-[0-9a-f-]{36} seq 4/);

      const dryRun = await lgsp(['ledger', 'replay', '--dry-run'], env);
      expect(dryRun).toMatchObject({ code: 0, stdout: '1 refused document(s) would be replayed; 0 other line(s) stay\n' });
      const replayed = await lgsp(['ledger', 'replay'], env);
      expect(replayed.stdout).toContain('1 document(s) stored, 0 already stored, 0 refused again; 0 line(s) left');
      expect(replayed.code).toBe(0);
      expect(await readFile(join(dataDir, 'ledger', DEAD_LETTER_FILE), 'utf8')).toBe('');

      const after = await lgsp(['ledger', 'verify', ...period], env);
      expect(after.stdout).toContain('5 record(s), 1 signed head(s) checked');
      expect(after.code).toBe(0);
    } finally {
      await replayDatabase.drop();
    }
  });

  it('verify-statement proves a saved statement with the published keys, and refuses it when one byte changed', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const key = await platformSigningKeyOf(pem, 'statement-key.pem', false);
    const body = Buffer.from('api,version,day,status_class,count\r\ndirectory,v1,2025-01-01,2xx,7\r\n*,*,*,*,7\r\n');
    const jws = await signStatement(body, { keyid: key.keyid, alg: 'ES256', privateKey: key.privateKey }, { party: 'consumer:ubnd.qlcb', from: '2025-01-01T00:00:00.000Z', to: '2025-01-02T00:00:00.000Z' });
    const files = { body: join(dir, 'statement.csv'), tampered: join(dir, 'tampered.csv'), keys: join(dir, 'keys.json') };
    await writeFile(files.body, body);
    await writeFile(files.tampered, Buffer.from(body.toString().replace(',7\r\n*', ',8\r\n*')));
    await writeFile(files.keys, JSON.stringify(key.jwks));
    const env = { LGSP_DATA_DIR: dir };
    const valid = await lgsp(['ledger', 'verify-statement', '--body', files.body, '--signature', jws, '--keys', files.keys], env);
    expect(valid).toMatchObject({ code: 0, stdout: `valid: signed by key ${key.keyid} (ES256) for consumer:ubnd.qlcb, 2025-01-01T00:00:00.000Z to 2025-01-02T00:00:00.000Z\n` });
    const tampered = await lgsp(['ledger', 'verify-statement', '--body', files.tampered, '--signature', jws, '--keys', files.keys], env);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/^INVALID: /);
  });
});

