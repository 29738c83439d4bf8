import type { ChangeChannel } from './change-channel.type';
import { InProcessChangeChannel } from './in-process-change.channel';
import { PostgresChangeChannel } from './postgres-change.channel';

/** PostgreSQL LISTEN/NOTIFY when the registry is a PostgreSQL server; in-process otherwise. */
export async function openChangeChannel(options: { url?: string; onError?: (error: unknown) => void; lazy?: boolean }): Promise<ChangeChannel> {
  return options.url === undefined ? new InProcessChangeChannel() : PostgresChangeChannel.open({ url: options.url, onError: options.onError, lazy: options.lazy });
}
