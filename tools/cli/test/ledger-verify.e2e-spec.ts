import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { TransactionRecord } from '@lgsp/contracts';
import { canonicalJson, ledgerTransactions, migrateDatabase, openDatabase } from '@lgsp/data';
import type { ChainedDocument } from '@lgsp/ledger';
import { LedgerIngestor, SegmentOutboxSource, SqlLedgerStore } from '@lgsp/ledger';
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
});
