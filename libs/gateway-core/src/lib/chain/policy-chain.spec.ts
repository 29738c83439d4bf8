import { ErrorCode, LgspError } from '@lgsp/contracts';
import { MemoryReplayGuard } from '@lgsp/signature';

import { GATEWAY_POLICIES } from '../policies/gateway-chain.constant';
import type { ResponseSigner } from '../policies/sign/response-signer';
import { UpstreamPools } from '../proxy/upstream-pools';
import { RouteTable } from '../routing/route-table';
import type { GatewayContext } from './gateway-context.type';
import type { GatewayPolicy, PolicyDependencies } from './gateway-policy.type';
import { PolicyChain, PolicyChainError } from './policy-chain';
import { MemorySlidingLogStorage, ThrottleLimits } from '../policies/throttle';

const deps: PolicyDependencies = {
  routes: { table: RouteTable.empty() },
  upstreams: new UpstreamPools({ connectTimeoutMs: 100, connections: 1, keepAliveTimeoutMs: 100 }),
  throttle: { storage: new MemorySlidingLogStorage({ sweepIntervalMs: 0 }), limits: new ThrottleLimits({ readPerMinute: 1000, writePerMinute: 300 }) },
  tracingEnabled: false,
  tokens: {
    keys: { getKey: () => Promise.reject(new Error('no keys')), refresh: async () => undefined },
    revocations: { isRevoked: () => false },
    issuer: 'https://lgsp.example',
    audience: 'https://lgsp.example',
  },
  signatures: {
    certificates: () => undefined,
    replayGuard: new MemoryReplayGuard(),
    publicOrigin: 'https://lgsp.example',
    requireSignedWrites: true,
    signAllResponses: false,
    signer: {} as ResponseSigner,
  },
};

function policy(name: string, phase: number, behaviour: (ctx: GatewayContext, config: { limit: number }) => LgspError | undefined | Promise<LgspError | undefined>): GatewayPolicy<never> {
  return {
    name,
    phase,
    configSchema: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, description: 'a limit', default: 5 } } },
    create: (config: { limit: number }) => ({ handle: (ctx: GatewayContext) => behaviour(ctx, config) }),
  } as unknown as GatewayPolicy<never>;
}

describe('PolicyChain', () => {
  it('runs policies in phase order whatever order they are listed in, stopping at the first refusal', async () => {
    const seen: string[] = [];
    const chain = PolicyChain.build(
      [
        policy('c', 30, () => {
          seen.push('c');
          return undefined;
        }),
        policy('a', 10, async () => {
          seen.push('a');
          return undefined;
        }),
        policy('b', 20, () => {
          seen.push('b');
          return new LgspError(ErrorCode.NotFound);
        }),
      ],
      {},
      deps,
    );
    expect(chain.names).toEqual(['a', 'b', 'c']);
    const refusal = await chain.run({} as GatewayContext);
    expect(refusal?.code).toBe(ErrorCode.NotFound);
    expect(seen).toEqual(['a', 'b']);
  });

  it('fills defaults from the schema and refuses invalid settings naming the policy', async () => {
    let limit = 0;
    const chain = PolicyChain.build([policy('p', 10, (_ctx, config) => ((limit = config.limit), undefined))], {}, deps);
    await chain.run({} as GatewayContext);
    expect(limit).toBe(5);
    expect(() => PolicyChain.build([policy('p', 10, () => undefined)], { p: { limit: 0 } }, deps)).toThrow(/policy p: \/limit must be >= 1/);
    expect(() => PolicyChain.build([policy('p', 10, () => undefined)], { p: { other: 1 } }, deps)).toThrow(/policy p: .*additional properties/);
  });

  it('refuses two policies in one phase, as Kong refuses a clashing priority', () => {
    expect(() => PolicyChain.build([policy('a', 10, () => undefined), policy('b', 10, () => undefined)], {}, deps)).toThrow(PolicyChainError);
    expect(() => PolicyChain.build([policy('a', 0, () => undefined)], {}, deps)).toThrow(/positive integer/);
  });
});

describe('GATEWAY_POLICIES', () => {
  it("follows ARCHITECTURE.md's order", () => {
    const chain = PolicyChain.build(GATEWAY_POLICIES, {}, deps);
    expect(chain.names).toEqual(['guard', 'request-id', 'authenticate', 'route', 'authorize', 'throttle', 'verify', 'validate', 'proxy', 'sign']);
  });

  it('describes and defaults every setting of every policy', () => {
    for (const p of GATEWAY_POLICIES) {
      for (const [field, schema] of Object.entries(p.configSchema.properties)) {
        expect({ policy: p.name, field, described: schema.description.length > 10, defaulted: schema.default !== undefined }).toEqual({
          policy: p.name,
          field,
          described: true,
          defaulted: true,
        });
      }
    }
  });
});
