import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { startTelemetry } from './telemetry.util';

const ROOT = join(__dirname, '../../../..');

describe('startTelemetry', () => {
  it('does not load the SDK without an endpoint', async () => {
    const telemetry = startTelemetry('lgsp-test', undefined, 0.1);
    expect(telemetry.enabled).toBe(false);
    expect(Object.keys(require.cache).some((file) => file.includes('@opentelemetry/sdk-node'))).toBe(false);
    await telemetry.shutdown();
  });

  it('starts and stops the SDK with an endpoint (in a process of its own)', () => {
    const output = execFileSync(process.execPath, [join(ROOT, 'tools/scripts/run-ts.mjs'), join(ROOT, 'libs/observability/test/start-telemetry.main.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      timeout: 30_000,
    });
    expect(output.trim()).toBe('enabled=true');
  });
});
