import type { RegistryChange } from '@lgsp/contracts';

import type { ChangeChannel } from './change-channel.type';

/** The embedded default's channel: one process, so delivery is a function call (after the caller's turn). */
export class InProcessChangeChannel implements ChangeChannel {
  private readonly listeners = new Set<(change: RegistryChange) => void>();

  async publish(change: RegistryChange): Promise<void> {
    queueMicrotask(() => {
      for (const listener of this.listeners) listener(change);
    });
  }

  subscribe(listener: (change: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
