/** One request shape the load generator sends; a list of them is cycled per connection. */
export interface RequestTemplate {
  readonly method: 'GET' | 'POST';
  /** Path and query, appended to the spec's base URL. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Sign each request under the LGSP profile (a fresh X-Request-ID and signature per request). */
  readonly signed?: boolean;
}

/** The signing identity of signed requests: a registered certificate's id and its private key. */
export interface SigningIdentity {
  readonly keyid: string;
  readonly keyFile: string;
  /** The origin `@target-uri` is signed with: the gateway's public URL, not the address the load goes to. */
  readonly origin: string;
}

/** What the runner asks the load generator (a child process pinned to its own core) to do. */
export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  /** A steady rate over all connections, open loop (request i due at start + i / rate); saturating (autocannon) when absent. */
  readonly overallRate?: number;
  readonly requests: readonly RequestTemplate[];
  readonly signing?: SigningIdentity;
}

/** Latencies in ms, measured by the load generator per response (hrtime, not autocannon's whole-ms histogram). */
export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly responses: number;
  readonly errors: number;
  readonly non2xx: number;
  /** Status codes other than 2xx and how often each came, e.g. { "401": 12 }. */
  readonly statuses: Readonly<Record<string, number>>;
}

/** The load generator prints its result on one stdout line with this prefix. */
export const RESULT_PREFIX = 'RESULT ';
