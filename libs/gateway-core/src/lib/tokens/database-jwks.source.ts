import type { LgspDb } from '@lgsp/data';
import { loadPublishedJwks } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';

import { LastKnownGoodFile } from '../last-known-good/last-known-good-file.util';
import type { Jwks, JwksSource } from './jwks-state.service';

export interface DatabaseJwksSourceOptions {
  /** Where the last key set loaded is kept (`${dataDir}/gateway/jwks.json`); none: not kept. */
  readonly cacheFile?: string;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export function isJwks(value: unknown): value is Jwks {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as Jwks).keys) &&
    (value as Jwks).keys.every((key) => typeof key === 'object' && key !== null && !Array.isArray(key))
  );
}

/**
 * The signing keys straight from IAM's table: the embedded default, and any gateway with database
 * access. With a cache file, each key set loaded is kept on disk and answers while the database
 * cannot — at start-up too, so a gateway restarted during an outage still verifies tokens. The
 * outage is logged when the disk first answers instead, and when the database is back.
 */
export function databaseJwksSource(db: LgspDb, options: DatabaseJwksSourceOptions = {}): JwksSource {
  const now = options.now ?? Date.now;
  const cache = options.cacheFile === undefined ? undefined : new LastKnownGoodFile(options.cacheFile, isJwks, options.logger);
  let fromDisk = false;
  return {
    async load() {
      let jwks: Jwks;
      try {
        jwks = await loadPublishedJwks(db, new Date(now()));
      } catch (error) {
        const kept = await cache?.read();
        if (kept === undefined) throw error;
        if (!fromDisk) {
          options.logger?.warn({ err: error, event: { action: 'jwks-served-from-disk' }, file: { path: cache?.path } }, 'the signing keys cannot be loaded from the database; verifying with the copy kept on disk');
        }
        fromDisk = true;
        return kept;
      }
      if (fromDisk) options.logger?.info({ event: { action: 'jwks-database-reachable' } }, 'signing keys load from the database again');
      fromDisk = false;
      // An empty set is never kept: it would make the copy on disk useless for the next outage.
      if (cache !== undefined && jwks.keys.length > 0) await cache.keep(jwks);
      return jwks;
    },
  };
}
