import type { LgspError } from '@lgsp/contracts';

import type { GatewayNetwork } from '../network/gateway-network';
import type { SignatureDependencies } from '../policies/sign/signature-dependencies.type';
import type { ThrottleDependencies } from '../policies/throttle.policy';
import type { BackendJwtSigner } from '../proxy/backend-jwt-signer.service';
import type { UpstreamPools } from '../proxy/upstream-pools';
import type { RouteSource } from '../registry/registry-state.service';
import type { TokenVerification } from '../tokens/token-verification.type';
import type { GatewayContext } from './gateway-context.type';

/** JSON Schema of one policy setting: every field says what it is and what it defaults to. */
export interface PolicySettingSchema {
  readonly type: 'integer' | 'number' | 'boolean' | 'string';
  readonly description: string;
  readonly default: number | boolean | string;
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface PolicyConfigSchema {
  readonly type: 'object';
  readonly additionalProperties: false;
  readonly properties: Readonly<Record<string, PolicySettingSchema>>;
}

/** What a policy's handler returns: nothing to go on, or the refusal that ends the request. */
export type PolicyResult = LgspError | undefined;

export interface GatewayPolicyHandler {
  handle(context: GatewayContext): PolicyResult | Promise<PolicyResult>;
}

/**
 * One step of the data plane, with one job. `phase` is its place in ARCHITECTURE.md's chain; the
 * chain sorts by it and refuses duplicates, as Kong refuses an invalid PRIORITY at load.
 */
export interface GatewayPolicy<TConfig = Record<string, never>> {
  readonly name: string;
  readonly phase: number;
  readonly configSchema: PolicyConfigSchema;
  create(config: TConfig, dependencies: PolicyDependencies): GatewayPolicyHandler;
}

/** Shared services a policy may be built with (filled in by the gateway module). */
export interface PolicyDependencies {
  readonly routes: RouteSource;
  readonly upstreams: UpstreamPools;
  /** Signs the backend JWT (X-LGSP-Assertion) the proxy sends providers; the gateway module always provides it. */
  readonly backendJwt?: BackendJwtSigner;
  readonly throttle: ThrottleDependencies;
  readonly tracingEnabled: boolean;
  readonly tokens: TokenVerification;
  /** Trusted proxies and the Party-WAN zone; unset: none (the peer is the client, nobody is in the zone). */
  readonly network?: GatewayNetwork;
  /** X-Signature: the consumers' certificates, the replay guard, the CRL, the platform's signing key; unset: verify and sign refuse to build. */
  readonly signatures?: SignatureDependencies;
  /** Date.now() unless a test sets the time. */
  readonly clock?: () => number;
}
