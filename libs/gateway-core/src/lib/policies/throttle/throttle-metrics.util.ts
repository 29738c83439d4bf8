import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

export interface ThrottleMetrics {
  /** 1 while Redis is unreachable and each replica decides alone, else 0. */
  readonly degraded: Gauge;
  /** Outages of the shared throttle storage (one per transition to degraded). */
  readonly outages: Counter;
  /** Decisions taken with the per-replica local limit during outages. */
  readonly localDecisions: Counter;
}

/** The throttle's metrics, registered in the given registries (the app's /metrics registry). */
export function createThrottleMetrics(registers: Registry[] = []): ThrottleMetrics {
  return {
    degraded: new Gauge({
      name: 'lgsp_throttle_redis_degraded',
      help: 'Whether the throttle decides with per-replica local limits because Redis is unreachable (1) or shares limits through Redis (0)',
      registers,
    }),
    outages: new Counter({
      name: 'lgsp_throttle_redis_outages_total',
      help: 'Times the throttle lost Redis and fell back to per-replica local limits',
      registers,
    }),
    localDecisions: new Counter({
      name: 'lgsp_throttle_local_decisions_total',
      help: 'Throttle decisions taken with per-replica local limits while Redis was unreachable',
      registers,
    }),
  };
}
