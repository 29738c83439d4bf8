import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { configFrom, resolveKeyEncryptionKey } from '@lgsp/config';
import type { TransactionRecord } from '@lgsp/contracts';
import { InProcessChangeChannel, adminClients, openDatabase, verifySecret } from '@lgsp/data';
import { createIamApp } from '@lgsp/iam';
import { createLogger } from '@lgsp/observability';
import { closedPort } from '@lgsp/testing';
import { decodeJwt } from 'jose';
import { request } from 'undici';

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

/** `lgsp admin bootstrap` as an operator runs it, on the embedded default of a fresh data dir. */
describe('lgsp admin bootstrap', () => {
  jest.setTimeout(90_000);
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('creates the first DGO admin once, whose secret then obtains an admin token; a second run exits 1 and prints no secret', async () => {
    const first = await lgsp(['admin', 'bootstrap', '--name', 'Cục Chuyển đổi số'], { LGSP_DATA_DIR: dir });
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    const secret = /^client_secret: ([A-Za-z0-9_-]{43})$/m.exec(first.stdout)?.[1];
    expect(first.stdout).toMatch(/^client_id: dgo-admin$/m);
    expect(secret).toEqual(expect.any(String));

    const second = await lgsp(['admin', 'bootstrap', '--client-id', 'another-admin'], { LGSP_DATA_DIR: dir });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('An admin client already exists (dgo-admin)');
    expect(second.stdout).toBe('');

    // The stored row holds only the keyed hash of the printed secret.
    const pepper = (await readFile(join(dir, 'secret-pepper'), 'utf8')).trim();
    const database = await openDatabase({ dataDir: dir });
    try {
      const rows = await database.db.select().from(adminClients);
      expect(rows.map((r) => [r.clientId, r.name, r.roles, r.status])).toEqual([['dgo-admin', 'Cục Chuyển đổi số', ['dgo-admin'], 'active']]);
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(verifySecret(secret!, rows[0].secretHash, pepper)).toBe(true);

      // And it obtains a token from IAM on that registry.
      const config = configFrom({ LGSP_DATA_DIR: dir, LGSP_PORT: String(await closedPort()) });
      const records: TransactionRecord[] = [];
      const changes = new InProcessChangeChannel();
      const iam = await createIamApp({
        config,
        logger: createLogger({ service: 'lgsp-iam', level: 'silent' }),
        database,
        changes,
        sink: { record: (r) => void records.push(r), flush: async () => undefined, close: async () => undefined, pending: 0 },
        pepper,
        keyEncryptionKey: await resolveKeyEncryptionKey(config),
        withProcessMetrics: false,
      });
      try {
        const url = await iam.listen();
        const response = await request(`${url}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`dgo-admin:${secret}`).toString('base64')}` },
          body: 'grant_type=client_credentials',
        });
        expect(response.statusCode).toBe(200);
        const { access_token: token } = (await response.body.json()) as { access_token: string };
        expect(decodeJwt(token)).toMatchObject({ sub: 'dgo-admin', scope: 'admin', roles: ['dgo-admin'] });
      } finally {
        await iam.close();
        await changes.close();
      }
    } finally {
      await database.close();
    }
  });

  it('prints the configuration problem and exits 1 on a bad variable', async () => {
    const result = await lgsp(['admin', 'bootstrap'], { LGSP_DATA_DIR: dir, DATABASE_URL: 'mysql://nope' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL');
    expect(result.stdout).toBe('');
  });

  it('lists its commands on --help', async () => {
    const result = await lgsp(['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('admin bootstrap');
  });
});
