import { startTelemetry } from './telemetry.util';

describe('startTelemetry', () => {
  it('does not load the SDK without an endpoint', async () => {
    const telemetry = startTelemetry('lgsp-test', undefined, 0.1);
    expect(telemetry.enabled).toBe(false);
    expect(Object.keys(require.cache).some((file) => file.includes('@opentelemetry/sdk-node'))).toBe(false);
    await telemetry.shutdown();
  });

  it('starts and stops the SDK with an endpoint', async () => {
    const telemetry = startTelemetry('lgsp-test', 'http://127.0.0.1:4318', 0.5);
    expect(telemetry.enabled).toBe(true);
    await telemetry.shutdown();
  });
});
