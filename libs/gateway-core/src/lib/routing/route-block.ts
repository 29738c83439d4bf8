import type { SnapshotBlock } from '@lgsp/data';

/** A kill switch as the registry snapshot describes it. */
export type RegistryBlock = Pick<SnapshotBlock, 'id' | 'scope' | 'provider' | 'apiVersionId' | 'operation' | 'reason' | 'startsAt' | 'endsAt'>;

/**
 * A kill switch as one route holds it: its window in epoch milliseconds and the detail of its 503,
 * both worked out when the table is built.
 */
export interface RouteBlock {
  readonly id: string;
  readonly startsAt: number;
  /** Infinity: until lifted. */
  readonly endsAt: number;
  readonly reason: string;
  /** What the refusal says: what is stopped, until when, and why. */
  readonly detail: string;
}

/**
 * The snapshot's blocks by what they stop. The snapshot holds the blocks not lifted and not yet
 * over, future maintenance windows included; whether one is in effect is decided per request
 * against the clock, so a window opens and closes without a reload.
 */
export class BlockIndex {
  private constructor(
    private readonly byProvider: ReadonlyMap<string, readonly RegistryBlock[]>,
    private readonly byVersion: ReadonlyMap<string, readonly RegistryBlock[]>,
    private readonly byOperation: ReadonlyMap<string, ReadonlyMap<string, readonly RegistryBlock[]>>,
  ) {}

  static of(blocks: readonly RegistryBlock[]): BlockIndex {
    const byProvider = new Map<string, RegistryBlock[]>();
    const byVersion = new Map<string, RegistryBlock[]>();
    const byOperation = new Map<string, Map<string, RegistryBlock[]>>();
    for (const block of blocks) {
      if (block.scope === 'provider' && block.provider !== undefined) {
        push(byProvider, block.provider, block);
      } else if (block.scope === 'api-version' && block.apiVersionId !== undefined) {
        push(byVersion, block.apiVersionId, block);
      } else if (block.scope === 'operation' && block.apiVersionId !== undefined && block.operation !== undefined) {
        let operations = byOperation.get(block.apiVersionId);
        if (operations === undefined) byOperation.set(block.apiVersionId, (operations = new Map()));
        push(operations, block.operation, block);
      }
    }
    return new BlockIndex(byProvider, byVersion, byOperation);
  }

  /** Blocks on the provider or on the version itself, phrased for that version. */
  forVersion(apiVersionId: string, provider: string | undefined, label: string): readonly RouteBlock[] | undefined {
    const blocks: RouteBlock[] = [];
    if (provider !== undefined) {
      for (const block of this.byProvider.get(provider) ?? []) blocks.push(routeBlockOf(block, `${label} (provider ${provider})`));
    }
    for (const block of this.byVersion.get(apiVersionId) ?? []) blocks.push(routeBlockOf(block, label));
    return blocks.length > 0 ? blocks : undefined;
  }

  /** Blocks on single operations of the version, by operation key ('GET /persons/{id}'). */
  forOperations(apiVersionId: string, label: string): ReadonlyMap<string, readonly RouteBlock[]> | undefined {
    const operations = this.byOperation.get(apiVersionId);
    if (operations === undefined) return undefined;
    const result = new Map<string, RouteBlock[]>();
    for (const [key, blocks] of operations) result.set(key, blocks.map((block) => routeBlockOf(block, `${key} of ${label}`)));
    return result;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

// A kill switch fails closed: a window whose bounds cannot be read covers all time.
function instantOf(iso: string | undefined, otherwise: number): number {
  if (iso === undefined) return otherwise;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? otherwise : ms;
}

function routeBlockOf(block: RegistryBlock, what: string): RouteBlock {
  const endsAt = instantOf(block.endsAt, Infinity);
  const until = endsAt === Infinity ? '' : ` until ${new Date(endsAt).toISOString()}`;
  return {
    id: block.id,
    startsAt: instantOf(block.startsAt, -Infinity),
    endsAt,
    reason: block.reason,
    detail: `${what} is blocked by the platform operator${until}: ${block.reason}`,
  };
}

/** The block in effect at `now` that lasts longest (so Retry-After covers them all), or undefined. */
export function blockInEffect(blocks: readonly RouteBlock[] | undefined, now: number): RouteBlock | undefined {
  if (blocks === undefined) return undefined;
  let found: RouteBlock | undefined;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    if (block.startsAt <= now && now < block.endsAt && (found === undefined || block.endsAt > found.endsAt)) found = block;
  }
  return found;
}
