import type { BlockList } from 'node:net';

import { blockListOf } from '@lgsp/config';
import type { LgspConfig } from '@lgsp/config';

import { ClientIpResolver, familyOf } from './client-ip.util';

/**
 * What the gateway knows of the network, built once from the configuration: who the client is
 * behind the trusted proxies, and which client addresses form the Party wide-area network zone.
 */
export class GatewayNetwork {
  /** No trusted proxy, no zone: the connection's address is the client's, and nobody is in the WAN. */
  static readonly NONE = new GatewayNetwork({ trustedProxies: [], wanCidrs: [] });

  readonly clientIp: ClientIpResolver;
  private readonly wan?: BlockList;

  constructor(network: LgspConfig['network']) {
    this.clientIp = new ClientIpResolver(network.trustedProxies);
    if (network.wanCidrs.length > 0) this.wan = blockListOf(network.wanCidrs);
  }

  /** Whether a client address is in the Party-WAN zone (LGSP_WAN_CIDRS); an unknown address never is. */
  inWan(address: string | undefined): boolean {
    return address !== undefined && this.wan !== undefined && this.wan.check(address, familyOf(address));
  }
}
