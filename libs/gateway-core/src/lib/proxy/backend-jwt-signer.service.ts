import { randomUUID } from 'node:crypto';

import type { BackendJwtClaims, Environment } from '@lgsp/contracts';
import { BACKEND_JWT_ALG, BACKEND_JWT_TTL_SECONDS, BACKEND_JWT_TYP } from '@lgsp/contracts';
import { SignJWT } from 'jose';
import type { JSONWebKeySet } from 'jose';

import type { BackendJwtKey } from './backend-jwt-key.util';

export interface BackendJwtSignerOptions {
  /** LGSP_PUBLIC_URL: the `iss`. */
  readonly issuer: string;
  /** Date.now() unless a test sets the time. */
  readonly clock?: () => number;
  /** Cached JWTs kept at most (one per consumer credential × environment × provider origin in use). */
  readonly maxEntries?: number;
}

interface CachedJwt {
  /** The JWT, or its signature under way (concurrent first calls share one). */
  jwt: string | Promise<string>;
  /** Date.now() after which a fresh JWT is signed: half its lifetime, so a provider always gets ≥ 30 s. */
  renewAt: number;
}

/**
 * Signs the backend JWT (X-LGSP-Assertion) that tells a provider which consumer system calls, so it
 * can trust the caller without the consumer's own token, which never leaves the gateway.
 *
 * An ES256 signature costs ~170 µs here (about as much as the whole rest of a proxied call), so a
 * JWT is signed once per consumer credential × environment × provider origin and reused for 30 s
 * of its 60 s lifetime. It therefore names the caller, not the call: `jti` is unique per JWT, and
 * the call's ids travel in their own headers (X-Request-ID, X-LGSP-Transaction-ID, traceparent).
 */
export class BackendJwtSigner {
  private readonly cache = new Map<string, CachedJwt>();
  private readonly clock: () => number;
  private readonly maxEntries: number;
  readonly jwks: JSONWebKeySet;

  constructor(
    private readonly key: BackendJwtKey,
    private readonly options: BackendJwtSignerOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.jwks = { keys: [key.publicJwk] };
  }

  get kid(): string {
    return this.key.publicJwk.kid;
  }

  /** The JWT for this caller and provider origin: at once from the cache, or once signed. */
  jwtFor(consumerId: string, clientId: string, environment: Environment, audience: string): string | Promise<string> {
    const now = this.clock();
    const cacheKey = audience + ' ' + environment + ' ' + clientId + ' ' + consumerId;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined && now < cached.renewAt) return cached.jwt;
    if (cached === undefined && this.cache.size >= this.maxEntries) this.evict(now);
    const entry: CachedJwt = { jwt: '', renewAt: now + (BACKEND_JWT_TTL_SECONDS * 1000) / 2 };
    const signing = this.sign({ sub: consumerId, client_id: clientId, env: environment, aud: audience }, now).then(
      (jwt) => {
        entry.jwt = jwt;
        return jwt;
      },
      (error: unknown) => {
        if (this.cache.get(cacheKey) === entry) this.cache.delete(cacheKey);
        throw error;
      },
    );
    entry.jwt = signing;
    this.cache.set(cacheKey, entry);
    return signing;
  }

  private sign(subject: Pick<BackendJwtClaims, 'sub' | 'client_id' | 'env' | 'aud'>, now: number): Promise<string> {
    const iat = Math.floor(now / 1000);
    const claims: Omit<BackendJwtClaims, 'iss' | 'aud' | 'sub' | 'iat' | 'exp'> = { client_id: subject.client_id, env: subject.env, jti: randomUUID() };
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: BACKEND_JWT_ALG, typ: BACKEND_JWT_TYP, kid: this.key.publicJwk.kid })
      .setIssuer(this.options.issuer)
      .setAudience(subject.aud)
      .setSubject(subject.sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + BACKEND_JWT_TTL_SECONDS)
      .sign(this.key.privateKey);
  }

  /** Drops the JWTs due for renewal; if every entry is fresh (a flood of credentials), starts over. */
  private evict(now: number): void {
    for (const [cacheKey, entry] of this.cache) if (now >= entry.renewAt) this.cache.delete(cacheKey);
    if (this.cache.size >= this.maxEntries) this.cache.clear();
  }
}
