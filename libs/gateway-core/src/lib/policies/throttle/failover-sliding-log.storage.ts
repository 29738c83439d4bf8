import type { ThrottlerStorage } from '@nestjs/throttler';

import type { MemorySlidingLogStorage } from './memory-sliding-log.storage';
import type { RedisSlidingLogStorage } from './redis-sliding-log.storage';
import type { Clock, SlidingLogDecision, SlidingLogStorage } from './sliding-log.type';
import { monotonicClock } from './sliding-log.type';
import type { ThrottleMetrics } from './throttle-metrics.util';
import { throttlerRecordOf } from './throttler-record.util';
import type { ThrottlerRecord } from './throttler-record.util';

/** Redis stopped answering: every replica now admits ceil(limit / replicas) on its own. */
export interface ThrottleDegradedEvent {
  readonly kind: 'degraded';
  readonly at: Date;
  /** The failure that started the outage (a timeout, a refused connection, ...). */
  readonly reason: string;
  readonly replicas: number;
}

/** Redis answers again: limits are shared again. */
export interface ThrottleRecoveredEvent {
  readonly kind: 'recovered';
  readonly at: Date;
  readonly outageMs: number;
  /** Decisions this replica took alone during the outage. */
  readonly localDecisions: number;
}

/** Called once per outage, never per request; a hook that throws does not affect the request. */
export interface ThrottleStorageEvents {
  readonly onDegraded?: (event: ThrottleDegradedEvent) => void;
  readonly onRecovered?: (event: ThrottleRecoveredEvent) => void;
}

export interface FailoverSlidingLogOptions extends ThrottleStorageEvents {
  readonly shared: RedisSlidingLogStorage;
  readonly local: MemorySlidingLogStorage;
  /** config.throttling.replicas: the local limit is ceil(limit / replicas). */
  readonly replicas: number;
  /** While degraded, at most one request per this many ms tries Redis again (default 1000). */
  readonly probeIntervalMs?: number;
  readonly metrics?: ThrottleMetrics;
  /** Schedules probes; the monotonic clock by default. */
  readonly clock?: Clock;
}

/**
 * The replicas' storage: decides with Redis, and with the in-process log at the per-replica share
 * when Redis fails or is too slow (the Redis storage's deadline bounds every call). While degraded,
 * requests decide locally without touching Redis, except one probe at a time at most every
 * probeIntervalMs — a real decision, which ends the outage when Redis answers it. Admissions Redis
 * grants are also logged locally at the replica's share, so an outage does not hand out a fresh
 * budget to a consumer that has just used its own.
 */
export class FailoverSlidingLogStorage implements SlidingLogStorage, ThrottlerStorage {
  private readonly shared: RedisSlidingLogStorage;
  private readonly local: MemorySlidingLogStorage;
  private readonly replicas: number;
  private readonly probeIntervalMs: number;
  private readonly clock: Clock;
  private degradedAt?: number;
  private nextProbeAt = 0;
  private probing = false;
  private localDecisions = 0;

  constructor(private readonly options: FailoverSlidingLogOptions) {
    this.shared = options.shared;
    this.local = options.local;
    this.replicas = Math.max(1, options.replicas);
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.clock = options.clock ?? monotonicClock;
    options.metrics?.degraded.set(0);
  }

  get degraded(): boolean {
    return this.degradedAt !== undefined;
  }

  /** Connects to Redis; when it is unreachable the gateway starts degraded rather than not at all. */
  async start(): Promise<void> {
    if (!(await this.shared.start())) this.degrade(this.shared.lastError);
  }

  decide(key: string, limit: number, windowMs: number): SlidingLogDecision | Promise<SlidingLogDecision> {
    if (this.degradedAt !== undefined && (this.probing || this.clock() < this.nextProbeAt)) return this.decideLocally(key, limit, windowMs);
    return this.decideShared(key, limit, windowMs);
  }

  async increment(key: string, ttl: number, limit: number, _blockDuration?: number, _throttlerName?: string): Promise<ThrottlerRecord> {
    return throttlerRecordOf(await this.decide(key, limit, ttl), limit);
  }

  async close(): Promise<void> {
    this.local.close();
    await this.shared.close();
  }

  private async decideShared(key: string, limit: number, windowMs: number): Promise<SlidingLogDecision> {
    const probe = this.degradedAt !== undefined;
    if (probe) this.probing = true;
    try {
      const decision = await this.shared.decide(key, limit, windowMs);
      // Only a probe ends an outage: a call sent before it began may still be answered after.
      if (probe) this.recover();
      if (decision.admitted) this.local.record(key, Math.ceil(limit / this.replicas), windowMs);
      return decision;
    } catch (error) {
      if (probe) this.nextProbeAt = this.clock() + this.probeIntervalMs;
      else this.degrade(error);
      return this.decideLocally(key, limit, windowMs);
    } finally {
      if (probe) this.probing = false;
    }
  }

  private decideLocally(key: string, limit: number, windowMs: number): SlidingLogDecision {
    this.localDecisions++;
    this.options.metrics?.localDecisions.inc();
    return this.local.decide(key, Math.ceil(limit / this.replicas), windowMs, true);
  }

  private degrade(error: unknown): void {
    if (this.degradedAt !== undefined) return;
    this.degradedAt = Date.now();
    this.nextProbeAt = this.clock() + this.probeIntervalMs;
    this.localDecisions = 0;
    this.options.metrics?.degraded.set(1);
    this.options.metrics?.outages.inc();
    // "Stream isn't writeable" says less than the connection error ioredis reported before it.
    const cause = this.shared.lastError?.message;
    const message = error instanceof Error ? error.message : 'Redis unreachable';
    const reason = cause !== undefined && cause !== message ? `${message} (${cause})` : message;
    notify(this.options.onDegraded, { kind: 'degraded', at: new Date(this.degradedAt), reason, replicas: this.replicas });
  }

  private recover(): void {
    if (this.degradedAt === undefined) return;
    const now = Date.now();
    const outageMs = now - this.degradedAt;
    this.degradedAt = undefined;
    this.shared.lastError = undefined;
    this.options.metrics?.degraded.set(0);
    notify(this.options.onRecovered, { kind: 'recovered', at: new Date(now), outageMs, localDecisions: this.localDecisions });
  }
}

function notify<T>(hook: ((event: T) => void) | undefined, event: T): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch (error) {
    process.emitWarning(`throttle event hook failed: ${(error as Error).message}`);
  }
}
