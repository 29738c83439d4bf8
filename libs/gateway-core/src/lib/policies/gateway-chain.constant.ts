import type { GatewayPolicy } from '../chain/gateway-policy.type';
import { authenticatePolicy } from './authenticate.policy';
import { authorizePolicy } from './authorize.policy';
import { guardPolicy } from './guard.policy';
import { proxyPolicy } from './proxy.policy';
import { requestIdPolicy } from './request-id.policy';
import { routePolicy } from './route.policy';
import { signPolicy } from './sign.policy';
import { throttlePolicy } from './throttle.policy';
import { validatePolicy } from './validate.policy';
import { verifyPolicy } from './verify.policy';

/**
 * The data plane's chain, in ARCHITECTURE.md's order. The record step is not a policy: it runs for
 * every response, refusals included (data-plane.plugin).
 *
 * | phase | policy       | refuses with                                                           |
 * |-------|--------------|------------------------------------------------------------------------|
 * | 5     | guard        | 429 rate_limited: per client IP, in-flight cap (before token checks)   |
 * | 10    | request-id   | 400 request_id_invalid                                                 |
 * | 20    | authenticate | 401 invalid_token                                                      |
 * | 30    | route        | 404 not_found (version, operation), 410 api_retired, 503 api_blocked   |
 * | 40    | authorize    | 403 consumer_suspended, subscription_missing, classification_forbidden |
 * |       |              |     zone_forbidden (Mật/Tối mật from outside the Party-WAN)            |
 * | 50    | throttle     | 429 rate_limited                                                       |
 * | 60    | verify       | 401 signature_missing (writes, Mật/Tối mật), signature_invalid,        |
 * |       |              |     key_unknown, certificate_revoked, certificate_expired,             |
 * |       |              |     signature_expired; 400 digest_mismatch; 409 replay_detected        |
 * | 70    | validate     | 400 validation_failed, 415 unsupported_media_type                      |
 * | 80    | proxy        | 502 upstream_unavailable, 504 upstream_timeout, 503 circuit_open       |
 * | 90    | sign         | — (signs the answer to a signed request: X-Signature, Content-Digest)  |
 *
 * Route also sets a deprecated version's Deprecation, Sunset and Link, so refusals after it carry
 * them. Authorize (Map reads) comes before throttle (a Redis round trip in a cluster): cheap checks
 * first, and a call that is refused anyway spends none of the consumer's budget. Validate comes after
 * throttle on purpose: parsing a body and running its schema costs more than a counter, so a flood of
 * malformed calls is cut off by the budget it spends.
 */
export const GATEWAY_POLICIES: readonly GatewayPolicy<never>[] = [
  guardPolicy as GatewayPolicy<never>,
  requestIdPolicy as GatewayPolicy<never>,
  authenticatePolicy as GatewayPolicy<never>,
  routePolicy as GatewayPolicy<never>,
  authorizePolicy as GatewayPolicy<never>,
  throttlePolicy as GatewayPolicy<never>,
  verifyPolicy as GatewayPolicy<never>,
  validatePolicy as GatewayPolicy<never>,
  proxyPolicy as GatewayPolicy<never>,
  signPolicy as GatewayPolicy<never>,
];
