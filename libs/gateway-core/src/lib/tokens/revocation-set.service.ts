import type { RegistryChange } from '@lgsp/contracts';
import type { ActiveRevocation, ChangeChannel } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';

import type { RevokedTokens } from './token-verification.type';

/** Where the gateway reads the tokens revoked before their expiry. */
export interface RevocationSource {
  loadActive(): Promise<readonly ActiveRevocation[]>;
}

export interface RevocationSetOptions {
  /** Milliseconds between sweeps of entries whose tokens have expired anyway. */
  readonly pruneIntervalMs?: number;
  /** Milliseconds between attempts while the set could not be (re)loaded. */
  readonly retryIntervalMs?: number;
  readonly clock?: () => number;
}

/**
 * Revoked jti → the token's exp (seconds). Loaded at start, added to by each `token-revoked` change
 * (so a revocation reaches this gateway as fast as the channel delivers it), reloaded on `resync`
 * (changes may have been missed). A revocation is never withdrawn, so reloads merge; entries go
 * only once their token has expired and would be refused anyway.
 */
export class RevocationSet implements RevokedTokens {
  /** The set has been loaded at least once: readiness. */
  loaded = false;
  private readonly revoked = new Map<string, number>();
  private needsReload = true;
  private reloading?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private stopped = false;
  private readonly clock: () => number;

  constructor(
    private readonly source: RevocationSource,
    private readonly changes: Pick<ChangeChannel, 'subscribe'>,
    private readonly logger: Logger,
    private readonly options: RevocationSetOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.revoked.size;
  }

  isRevoked(jti: string): boolean {
    return this.revoked.has(jti);
  }

  add(jti: string, exp: number): void {
    if (exp * 1000 > this.clock()) this.revoked.set(jti, exp);
  }

  /** Subscribes before the first load, so a revocation published during it is not lost. */
  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.changes.subscribe((change: RegistryChange) => {
      if (change.kind === 'token-revoked') {
        if (typeof change.jti === 'string' && typeof change.exp === 'number') this.add(change.jti, change.exp);
      } else if (change.kind === 'resync') {
        this.needsReload = true;
        void this.reload();
      }
    });
    await this.reload();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
  }

  prune(): void {
    const now = this.clock() / 1000;
    for (const [jti, exp] of this.revoked) if (exp <= now) this.revoked.delete(jti);
  }

  /** Coalesces: a reload asked for while one runs is done once more after it. */
  reload(): Promise<void> {
    if (this.reloading !== undefined) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = this.loadUntilSettled().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async loadUntilSettled(): Promise<void> {
    do {
      this.again = false;
      await this.load();
    } while (this.again);
  }

  private async load(): Promise<void> {
    this.needsReload = false;
    try {
      for (const { jti, exp } of await this.source.loadActive()) this.add(jti, exp);
      this.loaded = true;
      this.logger.info({ event: { action: 'revocations-loaded' }, lgsp: { revoked: this.revoked.size } }, 'revoked tokens loaded');
    } catch (error) {
      this.needsReload = true;
      this.logger.error({ err: error, event: { action: 'revocations-load-failed' } }, 'revoked tokens could not be loaded; retrying');
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = this.needsReload ? (this.options.retryIntervalMs ?? 5000) : (this.options.pruneIntervalMs ?? 60_000);
    this.timer = setTimeout(() => {
      this.prune();
      void (this.needsReload ? this.reload() : Promise.resolve()).finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }
}
