import type { LgspConfig } from '@lgsp/config';
import type { Registry } from 'prom-client';

import type { ThrottleDependencies } from '../throttle.policy';
import { FailoverSlidingLogStorage } from './failover-sliding-log.storage';
import type { ThrottleStorageEvents } from './failover-sliding-log.storage';
import { ThrottleLimits } from './limit-resolver';
import { MemorySlidingLogStorage } from './memory-sliding-log.storage';
import { RedisSlidingLogStorage } from './redis-sliding-log.storage';
import { createThrottleMetrics } from './throttle-metrics.util';
import type { ThrottleMetrics } from './throttle-metrics.util';

export interface ThrottleRuntimeOptions extends ThrottleStorageEvents {
  /** Where the throttle's metrics are registered (the app's /metrics registry). */
  readonly registers?: Registry[];
  /** Redis key prefix (default lgsp:throttle:). */
  readonly keyPrefix?: string;
  /** While Redis is down, at most one request per this many ms tries it again (default 1000). */
  readonly probeIntervalMs?: number;
}

/** Everything the throttle needs, owned by the gateway module: start it at init, close it at shutdown. */
export interface ThrottleRuntime extends ThrottleDependencies {
  readonly limits: ThrottleLimits;
  readonly storage: MemorySlidingLogStorage | FailoverSlidingLogStorage;
  readonly metrics: ThrottleMetrics;
  /** Connects to Redis when configured; never fails (an unreachable Redis starts the gateway degraded). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The throttle from config.throttling: in-process sliding logs on the embedded default; with
 * REDIS_URL, Redis shared by the replicas with the in-process log (limit / replicas) as fallback.
 */
export function createThrottleRuntime(throttling: LgspConfig['throttling'], options: ThrottleRuntimeOptions = {}): ThrottleRuntime {
  const metrics = createThrottleMetrics(options.registers);
  const limits = new ThrottleLimits({ readPerMinute: throttling.readPerMinute, writePerMinute: throttling.writePerMinute });
  const local = new MemorySlidingLogStorage();
  if (throttling.redisUrl === undefined) {
    metrics.degraded.set(0);
    return { limits, storage: local, metrics, start: async () => undefined, close: async () => local.close() };
  }
  const storage = new FailoverSlidingLogStorage({
    shared: RedisSlidingLogStorage.fromOptions({ url: throttling.redisUrl, timeoutMs: throttling.redisTimeoutMs, keyPrefix: options.keyPrefix }),
    local,
    replicas: throttling.replicas,
    probeIntervalMs: options.probeIntervalMs,
    metrics,
    onDegraded: options.onDegraded,
    onRecovered: options.onRecovered,
  });
  return { limits, storage, metrics, start: () => storage.start(), close: () => storage.close() };
}
