import type { ApiStatus, Environment } from '@lgsp/contracts';
import type { ApiKind, SnapshotApiVersion } from '@lgsp/data';
import type { OperationMatcher } from '@lgsp/openapi';

import type { RequestValidators } from '../policies/validate/request-validators.util';
import { requestValidatorsOf, sweepRequestValidators } from '../policies/validate/request-validators.util';
import type { ConsumerAccess, RegistryConsumer, RegistrySubscription } from './consumer-access';
import { consumerAccessOf } from './consumer-access';
import type { HeaderField } from './lifecycle-headers.util';
import { lifecycleHeadersOf } from './lifecycle-headers.util';
import { compileOperations } from './operations.util';
import type { RegistryBlock, RouteBlock } from './route-block';
import { BlockIndex } from './route-block';

/** An API version as the registry describes it (structurally the registry snapshot's row). */
export interface RoutableApiVersion {
  readonly id: string;
  readonly domain: string;
  readonly version: string;
  readonly provider?: string;
  readonly kind: ApiKind;
  readonly status: ApiStatus;
  readonly classification: SnapshotApiVersion['classification'];
  readonly upstreams: Readonly<Record<Environment, string>>;
  readonly readTimeoutMs?: number | null;
  readonly writeTimeoutMs?: number | null;
  /** YYYY-MM-DD. */
  readonly sunset?: string;
  /** ISO 8601. */
  readonly deprecatedAt?: string;
  /** The successor version's path, /v2/documents. */
  readonly successor?: string;
  /** REST: the provider's OpenAPI document; SOAP: null. */
  readonly openapi: Readonly<Record<string, unknown>> | null;
  readonly soapReadActions?: readonly string[];
}

/** What the table is built from: the parts of a registry snapshot that route and authorize. */
export interface RouteTableInput {
  readonly apiVersions: readonly RoutableApiVersion[];
  readonly consumers: readonly RegistryConsumer[];
  readonly subscriptions: readonly RegistrySubscription[];
  readonly blocks: readonly RegistryBlock[];
}

export interface RouteTableOptions {
  /** LGSP_PUBLIC_URL: the base of the successor link. */
  readonly publicUrl: string;
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
  readonly provider?: string;
  readonly kind: ApiKind;
  readonly status: ApiStatus;
  readonly classification: SnapshotApiVersion['classification'];
  readonly upstreams: Readonly<Record<Environment, UpstreamTarget>>;
  readonly readTimeoutMs?: number;
  readonly writeTimeoutMs?: number;
  readonly sunset?: string;
  readonly successor?: string;
  /** REST: the operations of the provider's document, compiled; SOAP: undefined (no operation matching). */
  readonly operations?: OperationMatcher;
  /** REST: each operation's request validator by operation key, compiled with the table (validate policy). */
  readonly requestValidators?: RequestValidators;
  /** SOAP: the SOAP actions that only read (the throttle's read budget); every other POST writes. */
  readonly soapReadActions?: ReadonlySet<string>;
  /** Deprecated versions: Deprecation, Sunset and Link, set on every answer once routed. */
  readonly lifecycleHeaders?: readonly HeaderField[];
  /** Kill switches on the provider or on this version, in effect now or later. */
  readonly blocks?: readonly RouteBlock[];
  /** Kill switches on single operations, by operation key ('GET /persons/{id}'). */
  readonly operationBlocks?: ReadonlyMap<string, readonly RouteBlock[]>;
  /** Metrics label: bounded by the registry, unlike raw paths. */
  readonly label: string;
}

export function upstreamTargetOf(url: string): UpstreamTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`upstream ${url}: only http and https are supported`);
  return { origin: parsed.origin, basePath: parsed.pathname.replace(/\/+$/, '') };
}

/**
 * The routing and authorization table, rebuilt whole from each registry snapshot and swapped in
 * atomically: everything a request needs is worked out here — upstream targets, compiled operation
 * matchers, lifecycle headers, the kill switches that concern each route, consumer statuses and
 * subscriptions — so a lookup is a few Map reads, never a query, a parse or a regex compilation.
 */
export class RouteTable {
  private constructor(
    private readonly byVersion: ReadonlyMap<string, ReadonlyMap<string, ApiRoute>>,
    private readonly consumers: ReadonlyMap<string, ConsumerAccess>,
    /** What the build left out and why, for the log: one line per reload, never per request. */
    readonly problems: readonly string[],
  ) {}

  static build(input: RouteTableInput, options: RouteTableOptions): RouteTable {
    const problems: string[] = [];
    const blocks = BlockIndex.of(input.blocks);
    const byVersion = new Map<string, Map<string, ApiRoute>>();
    for (const v of input.apiVersions) {
      if (v.status === 'draft') continue;
      const label = `/${v.version}/${v.domain}`;
      const name = `${v.domain} ${v.version}`;
      const route: ApiRoute = {
        apiVersionId: v.id,
        domain: v.domain,
        version: v.version,
        provider: v.provider,
        kind: v.kind,
        status: v.status,
        classification: v.classification,
        upstreams: { sandbox: upstreamTargetOf(v.upstreams.sandbox), production: upstreamTargetOf(v.upstreams.production) },
        readTimeoutMs: v.readTimeoutMs ?? undefined,
        writeTimeoutMs: v.writeTimeoutMs ?? undefined,
        sunset: v.sunset,
        successor: v.successor,
        // A retired version answers 410 before any operation is looked for.
        operations: v.kind === 'rest' && v.status !== 'retired' ? compileOperations(v.openapi, v.classification, name, problems) : undefined,
        requestValidators: v.kind === 'rest' && v.status !== 'retired' ? requestValidatorsOf(v.openapi, name, problems) : undefined,
        soapReadActions: v.kind === 'soap' ? new Set(v.soapReadActions) : undefined,
        lifecycleHeaders: v.status === 'deprecated' ? lifecycleHeadersOf(v, options.publicUrl) : undefined,
        blocks: blocks.forVersion(v.id, v.provider, name),
        operationBlocks: blocks.forOperations(v.id, name),
        label,
      };
      let domains = byVersion.get(v.version);
      if (!domains) byVersion.set(v.version, (domains = new Map()));
      domains.set(v.domain, route);
    }
    sweepRequestValidators();
    return new RouteTable(byVersion, consumerAccessOf(input.consumers, input.subscriptions), problems);
  }

  static empty(): RouteTable {
    return new RouteTable(new Map(), new Map(), []);
  }

  lookup(version: string, domain: string): ApiRoute | undefined {
    return this.byVersion.get(version)?.get(domain);
  }

  /** The consumer system's status and subscriptions; undefined for one the registry does not know. */
  consumer(consumerId: string): ConsumerAccess | undefined {
    return this.consumers.get(consumerId);
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
