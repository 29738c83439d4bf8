import type { Logger } from '@lgsp/observability';
import { MemoryReplayGuard } from '@lgsp/signature';
import type { ReplayGuard } from '@lgsp/signature';
import { Redis } from 'ioredis';

import { throttleRedisOptions, withDeadline } from '../throttle/redis-sliding-log.storage';

export const DEFAULT_REPLAY_KEY_PREFIX = 'lgsp:replay:';

export interface RedisReplayGuardOptions {
  readonly url: string;
  readonly timeoutMs: number;
  /** Prepended to `{consumer}:{requestId}`; default lgsp:replay:. */
  readonly keyPrefix?: string;
}

/** The replicas' replay guard: `SET lgsp:replay:{consumer}:{requestId} 1 NX EX <ttl>` — atomic, so of two replicas one sees the other's. */
export class RedisReplayGuard implements ReplayGuard {
  private readonly redis: Redis;

  constructor(private readonly options: RedisReplayGuardOptions) {
    this.redis = new Redis(options.url, { ...throttleRedisOptions({ url: options.url, timeoutMs: options.timeoutMs }), keyPrefix: options.keyPrefix ?? DEFAULT_REPLAY_KEY_PREFIX });
    // Failures surface on the calls; the event would otherwise be an unhandled 'error'.
    this.redis.on('error', () => undefined);
  }

  async start(): Promise<boolean> {
    try {
      await this.redis.connect();
      return true;
    } catch {
      return false;
    }
  }

  async seen(consumerId: string, requestId: string, ttlSeconds: number): Promise<boolean> {
    const set = await withDeadline(this.redis.set(`${consumerId}:${requestId}`, '1', 'EX', Math.ceil(ttlSeconds), 'NX'), this.options.timeoutMs);
    return set === null;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/**
 * Redis while it answers; the in-process guard while it does not (a replay sent to the same replica
 * is still caught), logged once per outage — as the throttle fails over. Every id a Redis call
 * recorded is also kept locally, so an outage does not forget what this replica has just seen.
 */
export class FailoverReplayGuard implements ReplayGuard {
  private degraded = false;

  constructor(
    private readonly shared: RedisReplayGuard,
    private readonly local: MemoryReplayGuard,
    private readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    if (!(await this.shared.start())) this.degrade(new Error('Redis unreachable at start-up'));
  }

  async seen(consumerId: string, requestId: string, ttlSeconds: number): Promise<boolean> {
    const locally = await this.local.seen(consumerId, requestId, ttlSeconds);
    try {
      const seen = await this.shared.seen(consumerId, requestId, ttlSeconds);
      this.recover();
      return seen || locally;
    } catch (error) {
      this.degrade(error);
      return locally;
    }
  }

  close(): Promise<void> {
    return this.shared.close();
  }

  private degrade(error: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger?.warn(
      { err: error, event: { action: 'replay-guard-degraded', kind: 'alert' } },
      'replay guard store (Redis) unreachable: each replica now catches only the replays sent to it',
    );
  }

  private recover(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger?.info({ event: { action: 'replay-guard-recovered' } }, 'replay guard store (Redis) reachable again');
  }
}

export interface ReplayGuardRuntime {
  readonly guard: ReplayGuard;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Redis (REDIS_URL) with the in-process guard as fallback, or the in-process guard alone. */
export function createReplayGuard(redis: { readonly url?: string; readonly timeoutMs: number; readonly keyPrefix?: string }, logger?: Logger): ReplayGuardRuntime {
  const local = new MemoryReplayGuard();
  if (redis.url === undefined) return { guard: local, start: async () => undefined, close: async () => undefined };
  const guard = new FailoverReplayGuard(new RedisReplayGuard({ url: redis.url, timeoutMs: redis.timeoutMs, keyPrefix: redis.keyPrefix }), local, logger);
  return { guard, start: () => guard.start(), close: () => guard.close() };
}
