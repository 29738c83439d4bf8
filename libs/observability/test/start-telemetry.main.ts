// Started by telemetry.util.spec.ts in a process of its own: the SDK's instrumentations subscribe to
// process-wide diagnostics channels that outlive shutdown(), so they must not run in a test worker.
import { startTelemetry } from '../src/lib/telemetry.util';

const telemetry = startTelemetry('lgsp-test', 'http://127.0.0.1:4318', 0.5);
void telemetry.shutdown().then(() => process.stdout.write(`enabled=${telemetry.enabled}\n`));
