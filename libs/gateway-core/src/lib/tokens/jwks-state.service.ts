import { ACCESS_TOKEN_ALG } from '@lgsp/contracts';
import type { RegistryChange } from '@lgsp/contracts';
import type { ChangeChannel } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';
import { createLocalJWKSet } from 'jose';
import type { JSONWebKeySet, JWK, JWTVerifyGetKey } from 'jose';

import type { VerificationKeys } from './token-verification.type';

/** A JSON Web Key Set (RFC 7517) of public keys. */
export interface Jwks {
  readonly keys: readonly Readonly<Record<string, unknown>>[];
}

/** Where the gateway reads the authorization server's public signing keys. */
export interface JwksSource {
  load(): Promise<Jwks>;
}

export interface JwksStateOptions {
  /** Milliseconds between routine reloads once a key set is held (LGSP_JWKS_REFRESH_SECONDS). */
  readonly refreshIntervalMs: number;
  /** Milliseconds between attempts while no key set has been loaded yet. */
  readonly retryIntervalMs?: number;
}

/**
 * Holds the verification keys built from the last good JWKS. The local key set is rebuilt only when
 * the published keys change (and each key imported once, then), never per request. Reloads on a
 * timer, on `signing-keys` and `resync` changes, and when a verifier meets an unknown kid; reloads
 * coalesce, and a failed one keeps the keys already held.
 */
export class JwksState implements VerificationKeys {
  /** At least one key has been loaded (from IAM, the database or the disk cache): readiness. */
  loaded = false;
  keyCount = 0;
  private keySet: JWTVerifyGetKey = createLocalJWKSet({ keys: [] });
  private fingerprint?: string;
  private reloading?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private stopped = false;

  constructor(
    private readonly source: JwksSource,
    private readonly changes: Pick<ChangeChannel, 'subscribe'>,
    private readonly logger: Logger,
    private readonly options: JwksStateOptions,
  ) {}

  /** Stable across reloads: the verifier holds this one function while the set behind it is swapped. */
  readonly getKey: JWTVerifyGetKey = (header, token) => this.keySet(header, token);

  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.changes.subscribe((change: RegistryChange) => {
      if (change.kind === 'signing-keys' || change.kind === 'resync') void this.refresh();
    });
    await this.refresh();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
  }

  refresh(): Promise<void> {
    if (this.reloading !== undefined) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = this.reloadUntilSettled().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async reloadUntilSettled(): Promise<void> {
    do {
      this.again = false;
      await this.reload();
    } while (this.again);
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = this.loaded ? this.options.refreshIntervalMs : (this.options.retryIntervalMs ?? 5000);
    this.timer = setTimeout(() => void this.refresh().finally(() => this.schedule()), delay);
    this.timer.unref();
  }

  private async reload(): Promise<void> {
    let jwks: Jwks;
    try {
      jwks = await this.source.load();
    } catch (error) {
      this.logger.error({ err: error, event: { action: 'jwks-load-failed' } }, 'signing keys could not be loaded; keeping the keys already held');
      return;
    }
    const fingerprint = JSON.stringify(jwks.keys);
    if (fingerprint === this.fingerprint) return;
    let keySet: JWTVerifyGetKey;
    try {
      keySet = createLocalJWKSet({ keys: jwks.keys as JWK[] } satisfies JSONWebKeySet);
    } catch (error) {
      this.logger.error({ err: error, event: { action: 'jwks-invalid' } }, 'the published JWKS is malformed; keeping the keys already held');
      return;
    }
    const kids = await this.importAll(keySet, jwks);
    this.keySet = keySet;
    this.fingerprint = fingerprint;
    this.keyCount = jwks.keys.length;
    if (this.keyCount > 0) this.loaded = true;
    this.logger.info({ event: { action: 'jwks-loaded' }, lgsp: { kids } }, 'signing keys loaded');
  }

  /** Imports every key now, so no request pays for it and a bad key shows up in the log at once. */
  private async importAll(keySet: JWTVerifyGetKey, jwks: Jwks): Promise<string[]> {
    const kids: string[] = [];
    for (const jwk of jwks.keys) {
      const kid = jwk['kid'];
      if (typeof kid !== 'string') continue;
      kids.push(kid);
      try {
        await keySet({ alg: typeof jwk['alg'] === 'string' ? jwk['alg'] : ACCESS_TOKEN_ALG, kid }, { payload: '', signature: '' });
      } catch (error) {
        this.logger.warn({ err: error, event: { action: 'jwks-key-unusable' }, lgsp: { kid } }, 'a published signing key cannot be used for verification');
      }
    }
    return kids;
  }
}
