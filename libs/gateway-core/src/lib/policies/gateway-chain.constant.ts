import type { GatewayPolicy } from '../chain/gateway-policy.type';
import { authenticatePolicy } from './authenticate.policy';
import { proxyPolicy } from './proxy.policy';
import { requestIdPolicy } from './request-id.policy';
import { routePolicy } from './route.policy';
import { throttlePolicy } from './throttle.policy';

/**
 * The data plane's chain, in ARCHITECTURE.md's order. Phases leave room for the steps still to
 * come: guard 5, authorize 40, verify 60, validate 70, sign 90. The record step is
 * not a policy: it runs for every response, refusals included (data-plane.plugin).
 *
 * | phase | policy       |
 * |-------|--------------|
 * | 10    | request-id   |
 * | 20    | authenticate |
 * | 30    | route        |
 * | 50    | throttle     |
 * | 80    | proxy        |
 */
export const GATEWAY_POLICIES: readonly GatewayPolicy<never>[] = [
  requestIdPolicy as GatewayPolicy<never>,
  authenticatePolicy as GatewayPolicy<never>,
  routePolicy as GatewayPolicy<never>,
  throttlePolicy as GatewayPolicy<never>,
  proxyPolicy as GatewayPolicy<never>,
];
