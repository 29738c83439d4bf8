import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import { request } from 'undici';

const WORKSPACE = join(__dirname, '..', '..', '..');
const MAIN = join('apps', 'demo-provider', 'src', 'main.ts');

/** The real composition root as its own process, TypeScript run by @swc-node/register. */
function startMain(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['-r', '@swc-node/register', MAIN], {
    cwd: WORKSPACE,
    env: { PATH: process.env.PATH ?? '', SWC_NODE_PROJECT: 'tsconfig.runtime.json', LGSP_LOG_LEVEL: 'silent', ...env },
  });
}

function output(stream: NodeJS.ReadableStream): () => string {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (text += chunk));
  return () => text;
}

async function waitFor(read: () => string, pattern: RegExp, child: ChildProcessWithoutNullStreams): Promise<RegExpExecArray> {
  for (;;) {
    const match = pattern.exec(read());
    if (match !== null) return match;
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before printing ${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('apps/demo-provider main', () => {
  jest.setTimeout(60_000);

  it('starts on the configured port, prints its URL, serves, and exits 0 on SIGTERM', async () => {
    const child = startMain({ LGSP_DEMO_PROVIDER_PORT: '0' });
    const stdout = output(child.stdout);
    const stderr = output(child.stderr);
    try {
      const [, url] = await waitFor(stdout, /demo-provider listening on (http:\/\/127\.0\.0\.1:\d+)\n/, child);
      const response = await request(`${url}/organisations/van-phong-trung-uong-dang`);
      expect(response.statusCode).toBe(200);
      expect(((await response.body.json()) as { name: string }).name).toBe('Văn phòng Trung ương Đảng');

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      // stderr rides along so that a failure shows why the process ended badly.
      expect({ code, stderr: stderr() }).toMatchObject({ code: 0 });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('prints the configuration problem and exits 1 on a bad variable', async () => {
    const child = startMain({ LGSP_DEMO_PROVIDER_PORT: 'chín nghìn' });
    const stderr = output(child.stderr);
    const stdout = output(child.stdout);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr()).toContain('LGSP_DEMO_PROVIDER_PORT');
    expect(stdout()).not.toContain('listening');
  });
});
