import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import { type FakeHttpServer, startFakeHttpServer } from './fake-http-server.util';

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

/** `lgsp admin ...` as an operator runs it: the real executable, configured by its environment. */
describe('lgsp admin over HTTP, as a process', () => {
  jest.setTimeout(60_000);
  let server: FakeHttpServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startFakeHttpServer();
    env = { LGSP_ADMIN_URL: server.url, LGSP_TOKEN_URL: `${server.url}/oauth2/token`, LGSP_ADMIN_CLIENT_ID: 'dgo-admin', LGSP_ADMIN_CLIENT_SECRET: 'secret' };
  });
  afterAll(() => server?.close());
  beforeEach(() => void (server.requests.length = 0));

  it('obtains a token from the admin client in its environment, prints the answer and exits 0', async () => {
    server.answer((request) =>
      request.url === '/oauth2/token' ? { body: { access_token: 'tok' } } : { body: [{ id: 'tu-ha-noi.qlcb', status: 'active' }] },
    );
    const result = await lgsp(['admin', 'consumers', 'list'], env);
    expect(result).toEqual({ code: 0, stdout: '[\n  {\n    "id": "tu-ha-noi.qlcb",\n    "status": "active"\n  }\n]\n', stderr: '' });
    expect(server.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['POST', '/oauth2/token', `Basic ${Buffer.from('dgo-admin:secret').toString('base64')}`],
      ['GET', '/admin/v1/consumers', 'Bearer tok'],
    ]);
  });

  it('exits 1 with the problem on stderr when the registry refuses', async () => {
    server.answer((request) =>
      request.url === '/oauth2/token'
        ? { body: { access_token: 'tok' } }
        : {
            status: 409,
            headers: { 'content-type': 'application/problem+json' },
            body: { type: 'urn:lgsp:problem:conflict', title: 'x', status: 409, code: 'conflict', detail: 'Consumer system tu-ha-noi.qlcb is suspended; it cannot be suspended' },
          },
    );
    const result = await lgsp(['admin', 'consumers', 'suspend', 'tu-ha-noi.qlcb', '--reason', 'Nghi vấn lộ lọt'], env);
    expect(result).toEqual({ code: 1, stdout: '', stderr: '409 conflict: Consumer system tu-ha-noi.qlcb is suspended; it cannot be suspended\n' });
    expect(JSON.parse(server.requests[1].body)).toEqual({ reason: 'Nghi vấn lộ lọt' });
  });

  it('exits 2 on a wrong command line without calling anything', async () => {
    const result = await lgsp(['admin', 'consumers', 'suspend', 'tu-ha-noi.qlcb'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('lgsp admin consumers suspend: --reason is required (see --help)\n');
    expect(server.requests).toEqual([]);
  });
});
