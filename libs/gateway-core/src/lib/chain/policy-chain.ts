import Ajv from 'ajv';

import type { LgspError } from '@lgsp/contracts';

import type { GatewayContext } from './gateway-context.type';
import type { GatewayPolicy, GatewayPolicyHandler, PolicyDependencies } from './gateway-policy.type';

export class PolicyChainError extends Error {
  override readonly name = 'PolicyChainError';
}

interface ChainEntry {
  readonly name: string;
  readonly phase: number;
  readonly handler: GatewayPolicyHandler;
}

/**
 * Runs the policies in phase order until one refuses. Built once (settings validated against each
 * policy's schema, defaults filled in); running allocates nothing but what the policies do.
 */
export class PolicyChain {
  private constructor(private readonly entries: readonly ChainEntry[]) {}

  static build(
    policies: readonly GatewayPolicy<never>[],
    settings: Readonly<Record<string, Record<string, unknown>>>,
    dependencies: PolicyDependencies,
  ): PolicyChain {
    const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: true });
    const seen = new Map<number, string>();
    const sorted = [...policies].sort((a, b) => a.phase - b.phase);
    const entries = sorted.map((policy) => {
      if (!Number.isInteger(policy.phase) || policy.phase <= 0) throw new PolicyChainError(`policy ${policy.name}: phase must be a positive integer`);
      const clash = seen.get(policy.phase);
      if (clash) throw new PolicyChainError(`policies ${clash} and ${policy.name} share phase ${policy.phase}`);
      seen.set(policy.phase, policy.name);
      const config = structuredClone(settings[policy.name] ?? {});
      const validate = ajv.compile(policy.configSchema);
      if (!validate(config)) {
        const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
        throw new PolicyChainError(`policy ${policy.name}: ${problems}`);
      }
      return { name: policy.name, phase: policy.phase, handler: policy.create(config as never, dependencies) };
    });
    return new PolicyChain(entries);
  }

  get names(): readonly string[] {
    return this.entries.map((e) => e.name);
  }

  async run(context: GatewayContext): Promise<LgspError | undefined> {
    for (const entry of this.entries) {
      const outcome = entry.handler.handle(context);
      const refusal = outcome instanceof Promise ? await outcome : outcome;
      if (refusal !== undefined) return refusal;
    }
    return undefined;
  }
}
