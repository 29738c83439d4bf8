import type { ApiStatus, Classification, Environment } from '@lgsp/contracts';

/** An API version as the registry describes it (structurally the registry snapshot's row). */
export interface RoutableApiVersion {
  readonly id: string;
  readonly domain: string;
  readonly version: string;
  readonly status: ApiStatus;
  readonly classification: Classification;
  readonly upstreams: Readonly<Record<Environment, string>>;
  readonly readTimeoutMs?: number | null;
  readonly writeTimeoutMs?: number | null;
}

export interface UpstreamTarget {
  /** scheme://host:port — the pool key. */
  readonly origin: string;
  /** The upstream URL's path without a trailing slash ('' for none). */
  readonly basePath: string;
}

export interface ApiRoute {
  readonly apiVersionId: string;
  readonly domain: string;
  readonly version: string;
  readonly status: ApiStatus;
  readonly classification: Classification;
  readonly upstreams: Readonly<Record<Environment, UpstreamTarget>>;
  readonly readTimeoutMs?: number;
  readonly writeTimeoutMs?: number;
  /** Metrics label: bounded by the registry, unlike raw paths. */
  readonly label: string;
}

export function upstreamTargetOf(url: string): UpstreamTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`upstream ${url}: only http and https are supported`);
  return { origin: parsed.origin, basePath: parsed.pathname.replace(/\/+$/, '') };
}

/**
 * The routing table, rebuilt whole from each registry snapshot and swapped in atomically: a lookup
 * is two Map reads, never a query or a parse.
 */
export class RouteTable {
  private constructor(private readonly byVersion: ReadonlyMap<string, ReadonlyMap<string, ApiRoute>>) {}

  static build(versions: readonly RoutableApiVersion[]): RouteTable {
    const byVersion = new Map<string, Map<string, ApiRoute>>();
    for (const v of versions) {
      if (v.status === 'draft') continue;
      const route: ApiRoute = {
        apiVersionId: v.id,
        domain: v.domain,
        version: v.version,
        status: v.status,
        classification: v.classification,
        upstreams: { sandbox: upstreamTargetOf(v.upstreams.sandbox), production: upstreamTargetOf(v.upstreams.production) },
        readTimeoutMs: v.readTimeoutMs ?? undefined,
        writeTimeoutMs: v.writeTimeoutMs ?? undefined,
        label: `/${v.version}/${v.domain}`,
      };
      let domains = byVersion.get(v.version);
      if (!domains) byVersion.set(v.version, (domains = new Map()));
      domains.set(v.domain, route);
    }
    return new RouteTable(byVersion);
  }

  static empty(): RouteTable {
    return new RouteTable(new Map());
  }

  lookup(version: string, domain: string): ApiRoute | undefined {
    return this.byVersion.get(version)?.get(domain);
  }

  /** Every upstream origin the table can route to (for pool housekeeping). */
  origins(): Set<string> {
    const origins = new Set<string>();
    for (const domains of this.byVersion.values()) {
      for (const route of domains.values()) {
        origins.add(route.upstreams.sandbox.origin);
        origins.add(route.upstreams.production.origin);
      }
    }
    return origins;
  }

  get size(): number {
    let n = 0;
    for (const domains of this.byVersion.values()) n += domains.size;
    return n;
  }
}
