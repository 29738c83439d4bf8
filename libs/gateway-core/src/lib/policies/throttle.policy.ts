import { ErrorCode, Header, LgspError, isWriteMethod } from '@lgsp/contracts';

import type { GatewayContext } from '../chain/gateway-context.type';
import type { GatewayPolicy, GatewayPolicyHandler, PolicyDependencies, PolicyResult } from '../chain/gateway-policy.type';
import type { LimitSource, ThrottleBudget, ThrottleQuota } from './throttle/limit-resolver';
import { secondsUntil } from './throttle/ratelimit-headers.util';
import type { SlidingLogDecision, SlidingLogStorage } from './throttle/sliding-log.type';
import { THROTTLE_WINDOW_MS } from './throttle/sliding-log.type';

/** What the gateway module gives the throttle: where decisions are taken, and the current limits. */
export interface ThrottleDependencies {
  readonly storage: SlidingLogStorage;
  readonly limits: LimitSource;
}

/** The chain's dependencies with the throttle's (PolicyDependencies gains `throttle` when wired). */
export interface ThrottlePolicyDependencies extends PolicyDependencies {
  readonly throttle: ThrottleDependencies;
}

export type ThrottlePolicyConfig = Record<string, never>;

/** A quota's refusal for each Retry-After (1..60 s): immutable, so built once and shared. */
type RefusalCache = WeakMap<ThrottleQuota, (LgspError | undefined)[]>;

function refusalOf(cache: RefusalCache, quota: ThrottleQuota, environment: string, seconds: number): LgspError {
  let refusals = cache.get(quota);
  if (refusals === undefined) cache.set(quota, (refusals = []));
  let refusal = refusals[seconds];
  if (refusal === undefined) {
    const what = quota.name === 'write' ? 'Writes (POST, PUT, PATCH, DELETE)' : 'Reads';
    refusal = new LgspError(
      ErrorCode.RateLimited,
      `${what} are limited to ${quota.limit} per minute for this consumer system in ${environment}; retry in ${seconds} s`,
      undefined,
      { [Header.retryAfter]: String(seconds) },
    );
    refusals[seconds] = refusal;
  }
  return refusal;
}

/**
 * Sets both RateLimit fields on the reply, so they go out on proxied answers and refusals alike,
 * and refuses with 429 rate_limited and Retry-After when the budget is spent. A consumer hammering
 * past its limit costs a lookup per request, not a new error with its stack trace.
 */
class ThrottleHandler implements GatewayPolicyHandler {
  private readonly refusals: RefusalCache = new WeakMap();
  /**
   * The quotas refused since they last admitted a request: only the first refusal of a run is a
   * throttle-burst for the SOC, not each of the thousands a runaway client may collect. Weak, and
   * keyed by the resolver's quota objects, so it holds at most one flag per live budget.
   */
  private readonly bursting = new WeakSet<ThrottleQuota>();

  constructor(
    private readonly storage: SlidingLogStorage,
    private readonly limits: LimitSource,
  ) {}

  handle(context: GatewayContext): PolicyResult | Promise<PolicyResult> {
    const { consumerId, environment } = context;
    // Authentication (phase 20) always sets both; a request without them must not pass unthrottled.
    if (consumerId === undefined || environment === undefined) return new LgspError(ErrorCode.InternalError, 'throttle reached without an authenticated consumer');
    const budget = this.limits.resolver.resolve(consumerId, environment, context.route?.apiVersionId);
    const quota = (context.isWrite ?? isWriteMethod(context.request.method)) ? budget.write : budget.read;
    const decision = this.storage.decide(quota.key, quota.limit, THROTTLE_WINDOW_MS);
    return decision instanceof Promise ? this.settle(context, budget, quota, decision) : this.conclude(context, budget, quota, decision);
  }

  private async settle(context: GatewayContext, budget: ThrottleBudget, quota: ThrottleQuota, pending: Promise<SlidingLogDecision>): Promise<PolicyResult> {
    return this.conclude(context, budget, quota, await pending);
  }

  private conclude(context: GatewayContext, budget: ThrottleBudget, quota: ThrottleQuota, decision: SlidingLogDecision): PolicyResult {
    const seconds = secondsUntil(decision.resetMs);
    context.reply.header(Header.rateLimitPolicy, budget.policy);
    context.reply.header(Header.rateLimit, quota.fieldPrefix + decision.remaining + ';t=' + seconds);
    context.throttle = { limit: quota.name, quota: quota.limit, remaining: decision.remaining, admitted: decision.admitted, local: decision.local };
    if (decision.admitted) {
      this.bursting.delete(quota);
      return undefined;
    }
    if (!this.bursting.has(quota)) {
      this.bursting.add(quota);
      context.securityEvent = 'throttle-burst';
    }
    return refusalOf(this.refusals, quota, context.environment ?? '', seconds);
  }
}

/**
 * Phase 5: per consumer system × environment, `read` (anything not a write) and `write` (POST, PUT,
 * PATCH, DELETE) budgets over an exact 60-second sliding log, limits from the registry or the
 * platform defaults. The data plane is a small runner, not Nest guards, so the policy calls the
 * storage directly; the same storages are @nestjs/throttler ThrottlerStorages for Nest routes.
 */
export const throttlePolicy: GatewayPolicy<ThrottlePolicyConfig> = {
  name: 'throttle',
  phase: 50,
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: (_config, dependencies: ThrottlePolicyDependencies) => {
    const throttle = dependencies.throttle as ThrottleDependencies | undefined;
    if (throttle === undefined) throw new Error('policy throttle: the gateway module must provide dependencies.throttle (storage and limits)');
    return new ThrottleHandler(throttle.storage, throttle.limits);
  },
};
