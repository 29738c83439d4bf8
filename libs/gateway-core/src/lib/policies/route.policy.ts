import { ErrorCode, Header, LgspError } from '@lgsp/contracts';

import type { GatewayContext } from '../chain/gateway-context.type';
import type { GatewayPolicy, GatewayPolicyHandler, PolicyResult } from '../chain/gateway-policy.type';
import type { RouteSource } from '../registry/registry-state.service';
import { parseDataPlanePath } from '../routing/data-plane-path.util';
import { applyLifecycleHeaders } from '../routing/lifecycle-headers.util';
import type { RouteBlock } from '../routing/route-block';
import { blockInEffect } from '../routing/route-block';
import type { ApiRoute } from '../routing/route-table';
import { isSoapWrite } from '../soap/soap-request.util';

interface BlockRefusal {
  readonly seconds: number;
  readonly refusal: LgspError;
}

/**
 * Everything is looked up in the table built from the registry snapshot; the refusals that do not
 * depend on the request are made once and shared (a blocked API hammered by its consumers costs a
 * lookup per request, not a new error with its stack trace).
 */
class RouteHandler implements GatewayPolicyHandler {
  private readonly retired = new WeakMap<ApiRoute, LgspError>();
  private readonly blocked = new WeakMap<RouteBlock, BlockRefusal>();

  constructor(
    private readonly routes: RouteSource,
    private readonly clock: () => number,
  ) {}

  handle(context: GatewayContext): PolicyResult {
    const parsed = parseDataPlanePath(context.path);
    if (parsed instanceof LgspError) return parsed;
    context.apiVersion = parsed.version;
    context.apiDomain = parsed.domain;
    context.resourcePath = parsed.resourcePath;
    const route = this.routes.table.lookup(parsed.version, parsed.domain);
    if (route === undefined) return new LgspError(ErrorCode.NotFound, `No API ${parsed.domain} ${parsed.version} is published`);
    context.route = route;
    context.request.metricsRoute = route.label;
    // Before any refusal: whatever the answer, a consumer of a deprecated version learns it.
    if (route.lifecycleHeaders !== undefined) applyLifecycleHeaders(context.reply, route.lifecycleHeaders);
    if (route.status === 'retired') return this.retiredRefusal(route);
    const now = route.blocks === undefined && route.operationBlocks === undefined ? 0 : this.clock();
    const versionBlock = blockInEffect(route.blocks, now);
    if (versionBlock !== undefined) return this.blockedRefusal(versionBlock, now);
    // SOAP versions have no operations to match: the SOAP action decides read or write.
    if (route.operations === undefined) {
      if (route.soapReadActions !== undefined) context.isWrite = isSoapWrite(context.request.method, context.request.headers, route.soapReadActions);
      return undefined;
    }
    const operation = route.operations.match(context.request.method, parsed.resourcePath);
    if (operation === undefined) {
      return new LgspError(ErrorCode.NotFound, `${context.request.method} ${context.path} is not an operation of ${route.domain} ${route.version}`);
    }
    context.operation = operation;
    if (route.operationBlocks !== undefined) {
      const operationBlock = blockInEffect(route.operationBlocks.get(operation.key), now);
      if (operationBlock !== undefined) return this.blockedRefusal(operationBlock, now);
    }
    return undefined;
  }

  private retiredRefusal(route: ApiRoute): LgspError {
    let refusal = this.retired.get(route);
    if (refusal === undefined) {
      const successor = route.successor === undefined ? '' : `; its successor is ${route.successor}`;
      refusal = new LgspError(ErrorCode.ApiRetired, `${route.domain} ${route.version} is retired${successor}`);
      this.retired.set(route, refusal);
    }
    return refusal;
  }

  /** 503 api_blocked; a maintenance window's refusal says how long is left and changes once a second. */
  private blockedRefusal(block: RouteBlock, now: number): LgspError {
    const seconds = block.endsAt === Infinity ? 0 : Math.max(1, Math.ceil((block.endsAt - now) / 1000));
    const cached = this.blocked.get(block);
    if (cached !== undefined && cached.seconds === seconds) return cached.refusal;
    const refusal = new LgspError(ErrorCode.ApiBlocked, block.detail, undefined, seconds === 0 ? undefined : { [Header.retryAfter]: String(seconds) });
    this.blocked.set(block, { seconds, refusal });
    return refusal;
  }
}

/**
 * Phase 3: /{version}/{domain}/{resource...} + method → the API version, then (REST) the operation
 * of the provider's OpenAPI document, from the table built when the registry last changed. Unknown
 * version or operation → 404 not_found; retired → 410 api_retired naming the successor; a kill
 * switch in effect on the provider, the version or the operation → 503 api_blocked with the reason
 * (and Retry-After when the block has an end). Draft versions are not in the table. A deprecated
 * version's Deprecation, Sunset and successor Link go on every answer from here on.
 */
export const routePolicy: GatewayPolicy = {
  name: 'route',
  phase: 30,
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: (_config, { routes, clock }) => new RouteHandler(routes, clock ?? Date.now),
};
