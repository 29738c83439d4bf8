import type { ChangeChannel, LgspDb } from '@lgsp/data';
import { loadRegistrySnapshot } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';

import { LastKnownGoodFile } from '../last-known-good/last-known-good-file.util';
import type { RegistrySource, RegistryView } from './registry-state.service';

/** Subscribes to registry changes; returns the unsubscribe. In-process now, LISTEN/NOTIFY in a cluster. */
export type RegistryChangeSubscriber = (listener: () => void) => () => void;

export const noRegistryChanges: RegistryChangeSubscriber = () => () => undefined;

/** The changes of the channel that call for a new routing table: `registry`, and `resync` after missed events. */
export function registryChangesOf(changes: Pick<ChangeChannel, 'subscribe'>): RegistryChangeSubscriber {
  return (listener) =>
    changes.subscribe((change) => {
      if (change.kind === 'registry' || change.kind === 'resync') listener();
    });
}

export interface DatabaseRegistrySourceOptions {
  /** Where the last snapshot loaded is kept (`${dataDir}/gateway/registry-snapshot.json`); none: not kept. */
  readonly cacheFile?: string;
  readonly logger?: Logger;
}

function isRegistryView(value: unknown): value is RegistryView {
  if (typeof value !== 'object' || value === null) return false;
  const view = value as Record<string, unknown>;
  return ['apiVersions', 'rateLimits', 'consumers', 'subscriptions', 'blocks'].every((field) => Array.isArray(view[field]));
}

/**
 * The registry tables as the gateway's source of routes. With a cache file, every snapshot served
 * is also kept on disk, and that copy is what a gateway started while PostgreSQL is unreachable
 * serves from.
 */
export function databaseRegistrySource(db: LgspDb, subscribe: RegistryChangeSubscriber = noRegistryChanges, options: DatabaseRegistrySourceOptions = {}): RegistrySource {
  const cache = options.cacheFile === undefined ? undefined : new LastKnownGoodFile(options.cacheFile, isRegistryView, options.logger);
  return {
    load: async (): Promise<RegistryView> => {
      const { apiVersions, rateLimits, consumers, subscriptions, blocks, certificates } = await loadRegistrySnapshot(db);
      return { apiVersions, rateLimits, consumers, subscriptions, blocks, certificates };
    },
    onChange: subscribe,
    lastKnownGood: cache,
  };
}
