import type { LgspConfig } from '@lgsp/config';
import type { LgspDb, PublishedJwks } from '@lgsp/data';
import { loadPublishedJwks } from '@lgsp/data';

import type { SigningKeyService } from './signing-key.service';

/**
 * The published JWKS, read from the database and cached: dropped whenever the keys change (here or,
 * through the change channel, on another replica), and after a quarter of the verifiers' refresh
 * interval at most, so a verifier sees a new key well within the lead a key gets before it signs.
 */
export class JwksService {
  private cached?: { readonly at: number; readonly jwks: Promise<PublishedJwks> };
  /** Seconds a JWKS may be cached, here and by HTTP caches. */
  readonly maxAgeSeconds: number;

  constructor(
    private readonly db: LgspDb,
    config: LgspConfig,
    keys: SigningKeyService,
    private readonly clock: () => Date,
  ) {
    this.maxAgeSeconds = Math.max(1, Math.min(60, Math.floor(config.tokens.jwksRefreshSeconds / 4)));
    keys.onChange(() => this.invalidate());
  }

  jwks(): Promise<PublishedJwks> {
    const now = this.clock().getTime();
    const cached = this.cached;
    if (cached !== undefined && now >= cached.at && now - cached.at < this.maxAgeSeconds * 1000) return cached.jwks;
    const jwks = loadPublishedJwks(this.db, new Date(now));
    this.cached = { at: now, jwks };
    jwks.catch(() => {
      if (this.cached?.jwks === jwks) this.cached = undefined;
    });
    return jwks;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
