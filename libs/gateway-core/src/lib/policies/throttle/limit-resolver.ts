import type { Environment } from '@lgsp/contracts';
import type { SnapshotRateLimit } from '@lgsp/data';

import { rateLimitFieldPrefix, rateLimitPolicyField } from './ratelimit-headers.util';
import { THROTTLE_WINDOW_MS } from './sliding-log.type';

/** The platform defaults (config.throttling): used when the registry sets no limit. */
export interface ThrottleLimitDefaults {
  readonly readPerMinute: number;
  readonly writePerMinute: number;
}

/** One named limit of one budget, with everything the hot path needs already built. */
export interface ThrottleQuota {
  readonly name: 'read' | 'write';
  readonly limit: number;
  /** `{consumer}:{environment}:{apiVersionId or *}:{read|write}`; the Redis storage adds its prefix. */
  readonly key: string;
  /** `"read";r=` */
  readonly fieldPrefix: string;
}

/** What one consumer system has in one environment (and one API version when it has its own limit). */
export interface ThrottleBudget {
  readonly read: ThrottleQuota;
  readonly write: ThrottleQuota;
  /** The RateLimit-Policy field value. */
  readonly policy: string;
}

type EnvironmentBudgets = readonly [sandbox: ThrottleBudget, production: ThrottleBudget];

interface ConsumerBudgets {
  readonly general: EnvironmentBudgets;
  readonly byVersion?: ReadonlyMap<string, EnvironmentBudgets>;
}

function quotaOf(name: 'read' | 'write', limit: number, consumerId: string, environment: Environment, scope: string): ThrottleQuota {
  return { name, limit, key: `${consumerId}:${environment}:${scope}:${name}`, fieldPrefix: rateLimitFieldPrefix(name) };
}

function budgetOf(consumerId: string, environment: Environment, scope: string, limits: ThrottleLimitDefaults): ThrottleBudget {
  return {
    read: quotaOf('read', limits.readPerMinute, consumerId, environment, scope),
    write: quotaOf('write', limits.writePerMinute, consumerId, environment, scope),
    policy: rateLimitPolicyField(limits.readPerMinute, limits.writePerMinute, THROTTLE_WINDOW_MS / 1000),
  };
}

function environmentBudgetsOf(consumerId: string, scope: string, limits: ThrottleLimitDefaults): EnvironmentBudgets {
  return [budgetOf(consumerId, 'sandbox', scope, limits), budgetOf(consumerId, 'production', scope, limits)];
}

const GENERAL_SCOPE = '*';

/**
 * Which limits apply to a request, built from the registry's rate-limit rows whenever the snapshot
 * changes: consumer × API version override, else the consumer's override, else the platform
 * default. A per-version override is its own budget (its key names the version): requests to that
 * version neither consume nor are refused by the consumer's general budget, so a limit the DGO
 * raises for one API is never capped by the general one. Budgets are per environment. Resolving is
 * one or two Map reads; budgets of consumers without overrides are built on first use and kept
 * (consumers are the registry's, so the map is bounded), keys and header values included.
 */
export class LimitResolver {
  private readonly consumers: Map<string, ConsumerBudgets>;

  private constructor(
    private readonly defaults: ThrottleLimitDefaults,
    consumers: Map<string, ConsumerBudgets>,
  ) {
    this.consumers = consumers;
  }

  static build(rows: readonly SnapshotRateLimit[], defaults: ThrottleLimitDefaults): LimitResolver {
    const general = new Map<string, ThrottleLimitDefaults>();
    const versions = new Map<string, Map<string, ThrottleLimitDefaults>>();
    for (const row of rows) {
      const limits = { readPerMinute: row.readPerMinute, writePerMinute: row.writePerMinute };
      if (row.apiVersionId === null) {
        general.set(row.consumerId, limits);
      } else {
        let byVersion = versions.get(row.consumerId);
        if (byVersion === undefined) versions.set(row.consumerId, (byVersion = new Map()));
        byVersion.set(row.apiVersionId, limits);
      }
    }
    const consumers = new Map<string, ConsumerBudgets>();
    for (const consumerId of new Set([...general.keys(), ...versions.keys()])) {
      const byVersion = new Map<string, EnvironmentBudgets>();
      for (const [apiVersionId, limits] of versions.get(consumerId) ?? []) byVersion.set(apiVersionId, environmentBudgetsOf(consumerId, apiVersionId, limits));
      consumers.set(consumerId, {
        general: environmentBudgetsOf(consumerId, GENERAL_SCOPE, general.get(consumerId) ?? defaults),
        byVersion: byVersion.size > 0 ? byVersion : undefined,
      });
    }
    return new LimitResolver(defaults, consumers);
  }

  resolve(consumerId: string, environment: Environment, apiVersionId: string | undefined): ThrottleBudget {
    let budgets = this.consumers.get(consumerId);
    if (budgets === undefined) {
      budgets = { general: environmentBudgetsOf(consumerId, GENERAL_SCOPE, this.defaults) };
      this.consumers.set(consumerId, budgets);
    }
    const index = environment === 'production' ? 1 : 0;
    if (apiVersionId !== undefined && budgets.byVersion !== undefined) {
      const version = budgets.byVersion.get(apiVersionId);
      if (version !== undefined) return version[index];
    }
    return budgets.general[index];
  }
}

/** What the policy reads: the current resolver, swapped whole when the registry changes. */
export interface LimitSource {
  readonly resolver: LimitResolver;
}

/** Holds the resolver; `update` rebuilds it from a new snapshot's rows (applied without restart). */
export class ThrottleLimits implements LimitSource {
  resolver: LimitResolver;

  constructor(private readonly defaults: ThrottleLimitDefaults) {
    this.resolver = LimitResolver.build([], defaults);
  }

  update(rows: readonly SnapshotRateLimit[]): void {
    this.resolver = LimitResolver.build(rows, this.defaults);
  }
}
