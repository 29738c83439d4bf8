import { ErrorCode, Header, LgspError } from '@lgsp/contracts';

import type { GatewayContext } from '../chain/gateway-context.type';
import type { GatewayPolicy, GatewayPolicyHandler, PolicyResult } from '../chain/gateway-policy.type';
import { GatewayNetwork } from '../network/gateway-network';
import { verifiedClientCertificate } from './guard/client-certificate.util';
import { InFlightGate } from './guard/in-flight-gate';
import { PerIpWindow } from './guard/per-ip-window';

export interface GuardPolicyConfig {
  readonly perIpPerSecond: number;
  readonly maxInFlight: number;
  readonly maxTrackedAddresses: number;
}

const RETRY_IN_A_SECOND: Readonly<Record<string, string>> = { [Header.retryAfter]: '1' };
// No contract code means "the gateway is full" (a 503 would need one): the client's remedy is the
// same as for a per-IP refusal — wait the Retry-After and try again — so both are rate_limited.
const AT_CAPACITY = new LgspError(ErrorCode.RateLimited, 'The gateway is working on as many requests as it takes at once; retry shortly', undefined, RETRY_IN_A_SECOND);

class GuardHandler implements GatewayPolicyHandler {
  private readonly perIp?: PerIpWindow;
  private readonly perIpRefusal: LgspError;
  private readonly inFlight: InFlightGate;

  constructor(
    config: GuardPolicyConfig,
    private readonly network: GatewayNetwork,
    private readonly clock: () => number,
  ) {
    if (config.perIpPerSecond > 0) this.perIp = new PerIpWindow(config.perIpPerSecond, 1000, config.maxTrackedAddresses);
    this.perIpRefusal = new LgspError(ErrorCode.RateLimited, `More than ${config.perIpPerSecond} requests per second from this address`, undefined, RETRY_IN_A_SECOND);
    this.inFlight = new InFlightGate(config.maxInFlight);
  }

  handle(context: GatewayContext): PolicyResult {
    const raw = context.request.raw;
    const clientIp = this.network.clientIp.resolve(raw.socket?.remoteAddress, raw.headers[Header.forwardedFor]);
    context.clientIp = clientIp;
    context.zone = this.network.inWan(clientIp) ? 'party-wan' : 'internet';
    if (this.perIp !== undefined && !this.perIp.admit(clientIp, this.clock())) return this.perIpRefusal;
    if (!this.inFlight.enter(context.reply.raw)) return AT_CAPACITY;
    const certificate = raw.socket === undefined ? undefined : verifiedClientCertificate(raw.socket);
    if (certificate !== undefined) context.clientCertificateSha256 = certificate;
    return undefined;
  }
}

/**
 * Phase 5, first: the flood shield. It works out the client's address once (behind
 * LGSP_TRUSTED_PROXIES) for every later step and the ledger, then refuses — before any token is
 * verified, since an ES256 check is the costliest thing an unauthenticated caller can make the
 * gateway do — an address sending more than `perIpPerSecond`, and any request beyond `maxInFlight`
 * at once, both 429 rate_limited with Retry-After: 1. In process, per replica: a cheap shield, not
 * the consumer's budget (the throttle's). Connection, header, body and slow-client limits are the
 * listener's (createHttpApp), as they must act before a request exists.
 */
export const guardPolicy: GatewayPolicy<GuardPolicyConfig> = {
  name: 'guard',
  phase: 5,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      perIpPerSecond: {
        type: 'integer',
        minimum: 0,
        description: 'Requests per second (sliding window) one client address may send before 429 rate_limited; 0 turns the per-IP limit off',
        default: 200,
      },
      maxInFlight: {
        type: 'integer',
        minimum: 1,
        description: 'Data-plane requests this gateway works on at once; further ones are refused 429 rate_limited until some finish',
        default: 2000,
      },
      maxTrackedAddresses: {
        type: 'integer',
        minimum: 1,
        description: 'Client addresses counted per second at most (bounds memory under a spray of addresses); further ones pass uncounted',
        default: 100000,
      },
    },
  },
  create: (config, { network, clock }) => new GuardHandler(config, network ?? GatewayNetwork.NONE, clock ?? Date.now),
};
