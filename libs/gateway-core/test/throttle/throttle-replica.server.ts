import { configFrom } from '@lgsp/config';

import { createThrottleRuntime } from '../../src/lib/policies/throttle';
import { startThrottleTestServer } from './throttle-test-server.util';

/**
 * One gateway replica of the three-replica suite, run by `node tools/scripts/run-ts.mjs`. argv[2]:
 * JSON {redisUrl, redisTimeoutMs, keyPrefix, replicas, readPerMinute, writePerMinute}. Prints
 * `READY <url>`, reports degradation on stderr (`THROTTLE degraded ...`), exits on SIGTERM.
 */
async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as {
    redisUrl: string;
    redisTimeoutMs: number;
    keyPrefix: string;
    replicas: number;
    readPerMinute: number;
    writePerMinute: number;
  };
  const config = configFrom({
    REDIS_URL: settings.redisUrl,
    LGSP_REDIS_TIMEOUT_MS: String(settings.redisTimeoutMs),
    LGSP_GATEWAY_REPLICAS: String(settings.replicas),
    LGSP_READ_LIMIT_PER_MINUTE: String(settings.readPerMinute),
    LGSP_WRITE_LIMIT_PER_MINUTE: String(settings.writePerMinute),
  });
  const runtime = createThrottleRuntime(config.throttling, {
    keyPrefix: settings.keyPrefix,
    onDegraded: (event) => process.stderr.write(`THROTTLE degraded: ${event.reason}\n`),
    onRecovered: (event) => process.stderr.write(`THROTTLE recovered after ${event.outageMs} ms\n`),
  });
  await runtime.start();
  const server = await startThrottleTestServer(runtime);
  process.once('SIGTERM', () => {
    void server
      .close()
      .then(() => runtime.close())
      .finally(() => process.exit(0));
  });
  process.stdout.write(`READY ${server.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
