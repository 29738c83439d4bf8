import { createPublicKey, type JsonWebKey as NodeJsonWebKey, type KeyObject } from 'node:crypto';

import { LgspClientError, LgspClientErrorCode } from '../lgsp-client.error';
import type { JsonWebKeySet } from '../lgsp-client.type';

/** After a fetch, a key id it did not hold makes the set be fetched again at most this often. */
const REFETCH_INTERVAL_MS = 30_000;

/** The platform's response-signing keys by key id: a JWK Set given, or fetched from a URL and cached. */
export class PlatformKeys {
  private keys: Map<string, KeyObject> | undefined;
  private loading: Promise<Map<string, KeyObject>> | undefined;
  private fetchedAt = 0;

  constructor(
    private readonly source: string | JsonWebKeySet,
    private readonly fetchImpl: typeof globalThis.fetch,
  ) {
    if (typeof source !== 'string') this.keys = keysOf(source, 'the JWK Set given');
  }

  /** The keys, fetched on first use. */
  async current(): Promise<ReadonlyMap<string, KeyObject>> {
    return this.keys ?? this.load();
  }

  /** Fetches the set again when it is a URL, its last fetch was not too recent, and it lacks `keyid`. */
  async refreshFor(keyid: string): Promise<ReadonlyMap<string, KeyObject>> {
    const keys = await this.current();
    if (keys.has(keyid) || typeof this.source !== 'string' || Date.now() - this.fetchedAt < REFETCH_INTERVAL_MS) return keys;
    return this.load();
  }

  private load(): Promise<Map<string, KeyObject>> {
    this.loading ??= this.fetchKeys().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async fetchKeys(): Promise<Map<string, KeyObject>> {
    const url = this.source as string;
    let document: unknown;
    try {
      const response = await this.fetchImpl(url, { headers: { accept: 'application/jwk-set+json, application/json' }, redirect: 'manual' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      document = await response.json();
    } catch (error) {
      throw new LgspClientError(LgspClientErrorCode.PlatformKeysUnavailable, `The platform's signing keys cannot be fetched from ${url}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.keys = keysOf(document, url);
    this.fetchedAt = Date.now();
    return this.keys;
  }
}

function keysOf(document: unknown, from: string): Map<string, KeyObject> {
  const list = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new LgspClientError(LgspClientErrorCode.PlatformKeysUnavailable, `${from} is not a JWK Set`);
  const keys = new Map<string, KeyObject>();
  for (const jwk of list as Record<string, unknown>[]) {
    if (typeof jwk?.['kid'] !== 'string') continue;
    try {
      keys.set(jwk['kid'], createPublicKey({ key: publicPart(jwk), format: 'jwk' }));
    } catch {
      // A key of a kind Node cannot read is left out; a response signed with it fails as unknown-key.
    }
  }
  return keys;
}

/** The public members only: a set that (wrongly) carries private ones must not yield a private key. */
function publicPart(jwk: Record<string, unknown>): NodeJsonWebKey {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, k: _k, ...rest } = jwk;
  return rest as NodeJsonWebKey;
}
