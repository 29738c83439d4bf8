import type { RegistryChange } from '@lgsp/contracts';
import { Client } from 'pg';

import type { ChangeChannel } from './change-channel.type';

export const CHANGE_CHANNEL_NAME = 'lgsp_registry_changes';

export interface PostgresChangeChannelOptions {
  readonly url: string;
  /** First reconnect delay; doubles up to maxRetryMs. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  readonly onError?: (error: unknown) => void;
  /** Open even when the server cannot be reached: connect in the background with backoff, then `resync`. */
  readonly lazy?: boolean;
}

/**
 * LISTEN/NOTIFY on one dedicated connection (a pooled one cannot hold a LISTEN). A lost connection
 * is re-established with backoff, and subscribers then get `resync`: NOTIFY is not queued for a
 * listener that was away, so they must reload what they hold.
 */
export class PostgresChangeChannel implements ChangeChannel {
  private client?: Client;
  private readonly listeners = new Set<(change: RegistryChange) => void>();
  private closed = false;
  private retryTimer?: NodeJS.Timeout;
  private delay: number;

  private constructor(private readonly options: PostgresChangeChannelOptions) {
    this.delay = options.retryMs ?? 200;
  }

  static async open(options: PostgresChangeChannelOptions): Promise<PostgresChangeChannel> {
    const channel = new PostgresChangeChannel(options);
    try {
      await channel.connect();
    } catch (error) {
      if (!options.lazy) throw error;
      options.onError?.(error);
      channel.scheduleReconnect();
    }
    return channel;
  }

  async publish(change: RegistryChange): Promise<void> {
    const client = this.client;
    if (client === undefined) throw new Error('change channel is not connected');
    await client.query('select pg_notify($1, $2)', [CHANGE_CHANNEL_NAME, JSON.stringify(change)]);
  }

  subscribe(listener: (change: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.listeners.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.url });
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL_NAME || message.payload === undefined) return;
      let change: RegistryChange;
      try {
        change = JSON.parse(message.payload) as RegistryChange;
      } catch (error) {
        this.options.onError?.(error);
        return;
      }
      this.emit(change);
    });
    client.on('error', (error) => {
      this.options.onError?.(error);
      this.lost(client);
    });
    client.on('end', () => this.lost(client));
    await client.connect();
    await client.query(`LISTEN ${CHANGE_CHANNEL_NAME}`);
    this.client = client;
    this.delay = this.options.retryMs ?? 200;
  }

  private emit(change: RegistryChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private lost(client: Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.retryTimer = setTimeout(() => {
      this.connect().then(
        () => this.emit({ kind: 'resync' }),
        (error: unknown) => {
          this.options.onError?.(error);
          this.delay = Math.min(this.delay * 2, this.options.maxRetryMs ?? 5000);
          if (!this.closed) this.scheduleReconnect();
        },
      );
    }, this.delay);
    this.retryTimer.unref();
  }
}
