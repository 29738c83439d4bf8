import type { SnapshotCertificate, SnapshotRateLimit } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';

import type { RouteTableInput, RouteTableOptions } from '../routing/route-table';
import { RouteTable } from '../routing/route-table';

/**
 * What the gateway takes from a registry snapshot: the versions, consumer systems, subscriptions
 * and kill switches it routes and authorizes by, and the rate limits the throttle builds from.
 */
export interface RegistryView extends RouteTableInput {
  readonly rateLimits: readonly SnapshotRateLimit[];
  /** The consumers' signing certificates (X-Signature keyids); absent in a snapshot kept before they were: none. */
  readonly certificates?: readonly SnapshotCertificate[];
}

/** Where the gateway reads the registry and hears that it changed. */
export interface RegistrySource {
  load(): Promise<RegistryView>;
  /** Calls the listener after every committed registry change; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  /** The copy of the last good snapshot kept on local disk, if the source keeps one. */
  readonly lastKnownGood?: SnapshotStore;
}

/** A snapshot kept on disk: written after each one served from the registry, read when the registry cannot answer. */
export interface SnapshotStore {
  keep(view: RegistryView): Promise<void>;
  read(): Promise<RegistryView | undefined>;
}

/** Where the table being served came from: the registry itself, or the copy kept on disk (or held since the registry became unreachable). */
export type SnapshotOrigin = 'live' | 'last-known-good';

export interface RegistryStateOptions extends RouteTableOptions {
  /** First delay before loading again after a failure; doubles up to retryMaxMs. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

/** What policies read: the current table, swapped whole on each change. */
export interface RouteSource {
  readonly table: RouteTable;
}

/**
 * Holds the routing table built from the last good registry snapshot. Changes coalesce: however
 * many arrive during a reload, one more reload follows it. A failed reload keeps the last table —
 * or, when none was ever loaded, takes the copy the source keeps on disk — and loading is retried
 * with backoff until the registry answers again. An outage is logged when it starts and when it
 * ends, not at every attempt.
 */
export class RegistryState implements RouteSource {
  table: RouteTable = RouteTable.empty();
  /** A table is held (from the registry or from disk): readiness. */
  loaded = false;
  /** Undefined until a table is held. */
  snapshot?: SnapshotOrigin;
  private reloading?: Promise<void>;
  private again = false;
  private unsubscribe?: () => void;
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs: number;
  private outageSince?: number;
  private stopped = false;
  private readonly listeners = new Set<(table: RouteTable, view: RegistryView) => void>();

  constructor(
    private readonly source: RegistrySource,
    private readonly logger: Logger,
    private readonly options: RegistryStateOptions,
  ) {
    this.retryDelayMs = options.retryMinMs ?? 500;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.source.onChange(() => void this.refresh());
    await this.refresh();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Called with each new table and the snapshot it came from (rate limits are built from it too). */
  onTable(listener: (table: RouteTable, view: RegistryView) => void): void {
    this.listeners.add(listener);
  }

  refresh(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = this.reload().finally(() => {
      this.reloading = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.reloading;
  }

  private async reload(): Promise<void> {
    let view: RegistryView;
    try {
      view = await this.source.load();
    } catch (error) {
      await this.failed(error);
      return;
    }
    if (!this.install(view, 'live')) return;
    this.recovered();
    // Only a snapshot that built a table is worth keeping; the table does not wait for the disk.
    void this.source.lastKnownGood?.keep(view);
  }

  /** Builds and swaps in the table; false when the snapshot cannot be served (logged, the old table kept). */
  private install(view: RegistryView, origin: SnapshotOrigin): boolean {
    let table: RouteTable;
    try {
      table = RouteTable.build(view, this.options);
    } catch (error) {
      this.logger.error({ err: error, event: { action: 'registry-snapshot-invalid' }, lgsp: { snapshot: origin } }, 'the registry snapshot cannot be served; keeping the last routing table');
      return false;
    }
    this.table = table;
    this.loaded = true;
    this.snapshot = origin;
    for (const listener of this.listeners) listener(table, view);
    this.logger.info({ event: { action: 'registry-loaded' }, lgsp: { routes: table.size, snapshot: origin } }, 'routing table loaded');
    if (table.problems.length > 0) {
      this.logger.warn({ event: { action: 'registry-operations-skipped' }, lgsp: { problems: table.problems } }, 'some OpenAPI operations are not served: their description is faulty');
    }
    return true;
  }

  private async failed(error: unknown): Promise<void> {
    const first = this.outageSince === undefined;
    if (first) this.outageSince = Date.now();
    if (this.loaded) {
      this.snapshot = 'last-known-good';
    } else if (this.source.lastKnownGood !== undefined) {
      const kept = await this.source.lastKnownGood.read();
      if (kept !== undefined) this.install(kept, 'last-known-good');
    }
    if (first) {
      const serving = this.loaded ? 'serving the last known good routing table' : 'no routing table yet: not ready';
      this.logger.error({ err: error, event: { action: 'registry-load-failed' }, lgsp: { snapshot: this.snapshot ?? 'none' } }, `the registry cannot be loaded; ${serving}; retrying`);
    } else {
      this.logger.debug({ err: error, event: { action: 'registry-load-failed' } }, 'the registry still cannot be loaded');
    }
    this.scheduleRetry();
  }

  private recovered(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryDelayMs = this.options.retryMinMs ?? 500;
    if (this.outageSince === undefined) return;
    const outageMs = Date.now() - this.outageSince;
    this.outageSince = undefined;
    this.logger.info({ event: { action: 'registry-reachable', duration: outageMs * 1e6 } }, 'the registry answers again: serving its live snapshot');
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(delay * 2, this.options.retryMaxMs ?? 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.refresh();
    }, delay);
    this.retryTimer.unref();
  }
}
