import type { RegistryChange } from '@lgsp/contracts';

/** The registry's change channel: every gateway hears each change within 2 s. */
export interface ChangeChannel {
  /** Delivers the change to every subscriber of every process on the channel, this one included. */
  publish(change: RegistryChange): Promise<void>;
  /** Returns the unsubscribe. */
  subscribe(listener: (change: RegistryChange) => void): () => void;
  close(): Promise<void>;
}
