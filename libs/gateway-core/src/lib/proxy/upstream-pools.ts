import { Pool } from 'undici';

import type { CircuitBreakerOptions, CircuitTransition } from './circuit-breaker';
import { CircuitBreaker, CircuitBreakerSettings } from './circuit-breaker';
import { createUpstreamMetrics } from './upstream-metrics.util';
import type { UpstreamMetrics } from './upstream-metrics.util';

export interface UpstreamPoolOptions {
  readonly connectTimeoutMs: number;
  /** Keep-alive connections per upstream origin. */
  readonly connections: number;
  /** Idle keep-alive sockets are closed after this long. */
  readonly keepAliveTimeoutMs: number;
  /** Default: 5 consecutive failures open a circuit for 30 s (LGSP_CIRCUIT_FAILURE_THRESHOLD, LGSP_CIRCUIT_OPEN_MS). */
  readonly circuit?: CircuitBreakerOptions;
  /** Date.now() unless a test sets the time. */
  readonly clock?: () => number;
  /** Hears each circuit transition once (the gateway logs it). */
  readonly onCircuitTransition?: (transition: CircuitTransition) => void;
}

/** One provider origin: its keep-alive pool and its circuit. */
export interface Upstream {
  readonly origin: string;
  readonly pool: Pool;
  readonly breaker: CircuitBreaker;
}

/**
 * One undici keep-alive pool and one circuit breaker per upstream origin, shared by every API
 * version (and environment) that routes there: a provider host that is down is down for all of them.
 */
export class UpstreamPools {
  private readonly upstreams = new Map<string, Upstream>();
  private readonly circuits: CircuitBreakerSettings;
  readonly metrics: UpstreamMetrics;

  constructor(private readonly options: UpstreamPoolOptions) {
    this.metrics = createUpstreamMetrics(() => [...this.upstreams.values()].map((u) => u.breaker));
    const onTransition = options.onCircuitTransition;
    this.circuits = new CircuitBreakerSettings(options.circuit ?? { failureThreshold: 5, openMs: 30_000 }, options.clock, (transition) => {
      if (transition.to === 'open') this.metrics.circuitOpened.inc({ origin: transition.origin });
      onTransition?.(transition);
    });
  }

  upstream(origin: string): Upstream {
    let upstream = this.upstreams.get(origin);
    if (upstream === undefined) {
      const pool = new Pool(origin, {
        connections: this.options.connections,
        pipelining: 1,
        keepAliveTimeout: this.options.keepAliveTimeoutMs,
        connect: { timeout: this.options.connectTimeoutMs },
      });
      upstream = { origin, pool, breaker: new CircuitBreaker(origin, this.circuits) };
      this.upstreams.set(origin, upstream);
    }
    return upstream;
  }

  get(origin: string): Pool {
    return this.upstream(origin).pool;
  }

  /** Closes the pools of origins no route uses any more (their in-flight requests finish first). */
  retain(origins: ReadonlySet<string>): void {
    for (const [origin, upstream] of this.upstreams) {
      if (!origins.has(origin)) {
        this.upstreams.delete(origin);
        void upstream.pool.close();
      }
    }
  }

  async close(): Promise<void> {
    const upstreams = [...this.upstreams.values()];
    this.upstreams.clear();
    await Promise.all(upstreams.map((upstream) => upstream.pool.close()));
  }
}
