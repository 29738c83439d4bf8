import type { ChangeChannel, LgspDb } from '@lgsp/data';
import { loadRegistrySnapshot } from '@lgsp/data';

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

/** The registry tables as the gateway's source of routes. */
export function databaseRegistrySource(db: LgspDb, subscribe: RegistryChangeSubscriber = noRegistryChanges): RegistrySource {
  return {
    load: async (): Promise<RegistryView> => {
      const { apiVersions, rateLimits, consumers, subscriptions, blocks } = await loadRegistrySnapshot(db);
      return { apiVersions, rateLimits, consumers, subscriptions, blocks };
    },
    onChange: subscribe,
  };
}
