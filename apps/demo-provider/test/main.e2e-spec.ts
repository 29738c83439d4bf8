import type { TsProcess } from '@lgsp/testing';
import { startTsProcess } from '@lgsp/testing';
import { request } from 'undici';

const MAIN = 'apps/demo-provider/src/main.ts';





/** The real composition root as its own process (tools/scripts/run-ts.mjs, as `npm start` runs it). */
function startMain(env: Record<string, string>): TsProcess {
  return startTsProcess(MAIN, { LGSP_LOG_LEVEL: 'silent', ...env });
}

describe('apps/demo-provider main', () => {
  jest.setTimeout(60_000);

  it('starts on the configured port, prints its URL, serves, and exits 0 on SIGTERM', async () => {
    const child = startMain({ LGSP_DEMO_PROVIDER_PORT: '0' });
    const stderr = child.stderr;
    try {
      const [, url] = await child.waitFor(/demo-provider listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
      const response = await request(`${url}/organisations/van-phong-trung-uong-dang`);
      expect(response.statusCode).toBe(200);
      expect(((await response.body.json()) as { name: string }).name).toBe('Văn phòng Trung ương Đảng');

      const code = await child.stop();
      // stderr rides along so that a failure shows why the process ended badly.
      expect({ code, stderr: stderr() }).toMatchObject({ code: 0 });
    } finally {
      if (child.child.exitCode === null) await child.stop('SIGKILL');
    }
  });

  it('prints the configuration problem and exits 1 on a bad variable', async () => {
    const child = startMain({ LGSP_DEMO_PROVIDER_PORT: 'chín nghìn' });
    const stderr = child.stderr;
    const stdout = child.stdout;
    const [code] = [await child.exited()];
    expect(code).toBe(1);
    expect(stderr()).toContain('LGSP_DEMO_PROVIDER_PORT');
    expect(stdout()).not.toContain('listening');
  });
});
