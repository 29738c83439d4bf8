import type { Classification, Environment } from '@lgsp/contracts';
import { ErrorCode, LgspError } from '@lgsp/contracts';

import type { GatewayContext } from '../chain/gateway-context.type';
import type { GatewayPolicy, GatewayPolicyHandler, PolicyResult } from '../chain/gateway-policy.type';
import { GatewayNetwork } from '../network/gateway-network';
import type { RouteSource } from '../registry/registry-state.service';
import type { ApiRoute } from '../routing/route-table';

// Refusals that do not depend on the request are made once and shared.
const NOT_REACHED = new LgspError(ErrorCode.InternalError, 'authorize reached without an authenticated consumer and a routed API');
const UNKNOWN_CONSUMER = new LgspError(ErrorCode.ConsumerSuspended, 'The consumer system this token was issued to is not registered on the platform');
const SUSPENDED = new LgspError(ErrorCode.ConsumerSuspended, 'This consumer system is suspended: its calls are refused until the DGO reinstates it');
const TERMINATED = new LgspError(ErrorCode.ConsumerSuspended, 'This consumer system is terminated: its calls are refused');
const TUYET_MAT = new LgspError(ErrorCode.ClassificationForbidden, 'Tuyệt mật (top secret) data never crosses the platform');
const OUTSIDE_WAN = new LgspError(
  ErrorCode.ZoneForbidden,
  'Mật and Tối mật operations are served only to clients in the Party wide-area network (Party-WAN) zone; this call comes from outside it',
);
const ENVIRONMENT_INDEX: Readonly<Record<Environment, 0 | 1>> = { sandbox: 0, production: 1 };

class AuthorizeHandler implements GatewayPolicyHandler {
  /** A route's subscription_missing refusal per environment, made on first use. */
  private readonly unsubscribed = new WeakMap<ApiRoute, [LgspError | undefined, LgspError | undefined]>();

  constructor(
    private readonly routes: RouteSource,
    private readonly network: GatewayNetwork,
  ) {}

  handle(context: GatewayContext): PolicyResult {
    const { consumerId, environment, route } = context;
    if (consumerId === undefined || environment === undefined || route === undefined) return NOT_REACHED;
    const consumer = this.routes.table.consumer(consumerId);
    if (consumer === undefined) return UNKNOWN_CONSUMER;
    if (consumer.status !== 'active') return consumer.status === 'suspended' ? SUSPENDED : TERMINATED;
    if (consumer.subscriptions.get(route.apiVersionId)?.has(environment) !== true) return this.unsubscribedRefusal(route, environment);
    // REST: the operation's own classification (x-lgsp-classification, else the version's); SOAP: the version's.
    const classification = route.kind === 'soap' ? route.classification : context.operation?.classification;
    if (classification === undefined) return NOT_REACHED;
    return this.classificationRefusal(classification, context);
  }

  private classificationRefusal(classification: Classification, context: GatewayContext): LgspError | undefined {
    switch (classification) {
      case 'tuyet-mat':
        return TUYET_MAT;
      case 'mat':
      case 'toi-mat':
        // The zone here; the signature they also need is the verify policy's (phase 60) to require.
        // The guard's zone; the lookup again only for a context it did not see (a unit test's).
        return (context.zone ?? (this.network.inWan(context.clientIp) ? 'party-wan' : 'internet')) === 'party-wan' ? undefined : OUTSIDE_WAN;
      default:
        return undefined;
    }
  }

  private unsubscribedRefusal(route: ApiRoute, environment: Environment): LgspError {
    let refusals = this.unsubscribed.get(route);
    if (refusals === undefined) this.unsubscribed.set(route, (refusals = [undefined, undefined]));
    const index = ENVIRONMENT_INDEX[environment];
    return (refusals[index] ??= new LgspError(
      ErrorCode.SubscriptionMissing,
      `This consumer system is not subscribed to ${route.domain} ${route.version} in ${environment}`,
    ));
  }
}

/**
 * Phase 4: may this consumer system make this call? Its status must be active (unknown, suspended
 * or terminated → 403 consumer_suspended), it must hold a subscription to the API version in the
 * token's environment (→ 403 subscription_missing), and the data's classification must be one the
 * platform serves to it: Tuyệt mật never (→ 403 classification_forbidden); Mật and Tối mật only to a
 * client address in the Party-WAN zone (LGSP_WAN_CIDRS, the address the guard worked out behind the
 * trusted proxies; → 403 zone_forbidden) — and signed, which the verify policy requires.
 * Statuses and subscriptions come from the table built when the registry last changed, so a
 * suspension applies to tokens already issued.
 */
export const authorizePolicy: GatewayPolicy = {
  name: 'authorize',
  phase: 40,
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: (_config, { routes, network }) => new AuthorizeHandler(routes, network ?? GatewayNetwork.NONE),
};
