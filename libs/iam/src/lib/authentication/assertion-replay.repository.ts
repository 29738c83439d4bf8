import { LRUCache } from 'lru-cache';

/** Client-assertion ids already used, until the assertions expire (RFC 7523 §3: a jti is single-use). */
export interface AssertionReplayStore {
  /** True when `id` was not used before and is now recorded until `expiresAt` (epoch ms); false on a replay. */
  claim(id: string, expiresAt: number, now: number): Promise<boolean>;
}

/**
 * One process's memory. Assertions live at most five minutes, so entries are few; beyond `max`
 * the least recently used entries go first. Several IAM replicas need a shared store (Redis
 * SET NX PX) behind the same interface, or an assertion replayed to another replica passes.
 */
export class InMemoryAssertionReplayStore implements AssertionReplayStore {
  private readonly seen: LRUCache<string, number>;

  constructor(max = 100_000) {
    this.seen = new LRUCache({ max });
  }

  async claim(id: string, expiresAt: number, now: number): Promise<boolean> {
    const until = this.seen.get(id);
    if (until !== undefined && until > now) return false;
    this.seen.set(id, expiresAt);
    return true;
  }
}
