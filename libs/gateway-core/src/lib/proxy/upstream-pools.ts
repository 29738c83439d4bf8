import { Pool } from 'undici';

export interface UpstreamPoolOptions {
  readonly connectTimeoutMs: number;
  /** Keep-alive connections per upstream origin. */
  readonly connections: number;
  /** Idle keep-alive sockets are closed after this long. */
  readonly keepAliveTimeoutMs: number;
}

/** One undici keep-alive pool per upstream origin, shared by every API version that routes there. */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: UpstreamPoolOptions) {}

  get(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: this.options.connections,
        pipelining: 1,
        keepAliveTimeout: this.options.keepAliveTimeoutMs,
        connect: { timeout: this.options.connectTimeoutMs },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Closes the pools of origins no route uses any more (their in-flight requests finish first). */
  retain(origins: ReadonlySet<string>): void {
    for (const [origin, pool] of this.pools) {
      if (!origins.has(origin)) {
        this.pools.delete(origin);
        void pool.close();
      }
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}
