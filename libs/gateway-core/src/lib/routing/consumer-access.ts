import type { ConsumerStatus, Environment } from '@lgsp/contracts';
import type { SnapshotConsumer, SnapshotSubscription } from '@lgsp/data';

export type RegistryConsumer = Pick<SnapshotConsumer, 'id' | 'status'>;
export type RegistrySubscription = Pick<SnapshotSubscription, 'consumerId' | 'apiVersionId' | 'environment'>;

/** What the authorize policy knows of one consumer system: two Map reads answer it. */
export interface ConsumerAccess {
  readonly status: ConsumerStatus;
  /** API version id → the environments the consumer system is subscribed to it in. */
  readonly subscriptions: ReadonlyMap<string, ReadonlySet<Environment>>;
}

/** Consumer systems by id with their subscriptions; a subscription of a consumer the snapshot lacks is dropped. */
export function consumerAccessOf(consumers: readonly RegistryConsumer[], subscriptions: readonly RegistrySubscription[]): Map<string, ConsumerAccess> {
  const byVersion = new Map<string, Map<string, Set<Environment>>>();
  const result = new Map<string, ConsumerAccess>();
  for (const consumer of consumers) {
    const versions = new Map<string, Set<Environment>>();
    byVersion.set(consumer.id, versions);
    result.set(consumer.id, { status: consumer.status, subscriptions: versions });
  }
  for (const subscription of subscriptions) {
    const versions = byVersion.get(subscription.consumerId);
    if (versions === undefined) continue;
    let environments = versions.get(subscription.apiVersionId);
    if (environments === undefined) versions.set(subscription.apiVersionId, (environments = new Set()));
    environments.add(subscription.environment);
  }
  return result;
}
