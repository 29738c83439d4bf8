import type { SnapshotRateLimit } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';

import type { RouteTableInput, RouteTableOptions } from '../routing/route-table';
import { RouteTable } from '../routing/route-table';

/**
 * What the gateway takes from a registry snapshot: the versions, consumer systems, subscriptions
 * and kill switches it routes and authorizes by, and the rate limits the throttle builds from.
 */
export interface RegistryView extends RouteTableInput {
  readonly rateLimits: readonly SnapshotRateLimit[];
}

/** Where the gateway reads the registry and hears that it changed. */
export interface RegistrySource {
  load(): Promise<RegistryView>;
  /** Calls the listener after every committed registry change; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

/** What policies read: the current table, swapped whole on each change. */
export interface RouteSource {
  readonly table: RouteTable;
}

/**
 * Holds the routing table built from the last good registry snapshot. Changes coalesce: however
 * many arrive during a reload, one more reload follows it. A failed reload keeps the last table.
 */
export class RegistryState implements RouteSource {
  table: RouteTable = RouteTable.empty();
  loaded = false;
  private reloading?: Promise<void>;
  private again = false;
  private unsubscribe?: () => void;
  private readonly listeners = new Set<(table: RouteTable, view: RegistryView) => void>();

  constructor(
    private readonly source: RegistrySource,
    private readonly logger: Logger,
    private readonly options: RouteTableOptions,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = this.source.onChange(() => void this.refresh());
    await this.refresh();
  }

  stop(): void {
    this.unsubscribe?.();
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
    try {
      const view = await this.source.load();
      const table = RouteTable.build(view, this.options);
      this.table = table;
      this.loaded = true;
      for (const listener of this.listeners) listener(table, view);
      this.logger.info({ event: { action: 'registry-loaded' }, lgsp: { routes: table.size } }, 'routing table loaded');
      if (table.problems.length > 0) {
        this.logger.warn({ event: { action: 'registry-operations-skipped' }, lgsp: { problems: table.problems } }, 'some OpenAPI operations are not served: their description is faulty');
      }
    } catch (error) {
      this.logger.error({ err: error, event: { action: 'registry-load-failed' } }, 'registry reload failed; keeping the last routing table');
    }
  }
}
