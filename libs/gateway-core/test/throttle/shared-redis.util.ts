import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';

/** The machine's Redis, used by the ordinary Redis tests with a key prefix of their own. */
export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

export function runPrefix(): string {
  return `lgsp-test:throttle:${randomUUID()}:`;
}

/** Deletes every key under the prefix (the run's keys, and nobody else's). */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
  return deleted;
}
