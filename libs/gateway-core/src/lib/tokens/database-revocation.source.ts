import type { ActiveRevocation, LgspDb } from '@lgsp/data';
import { loadActiveRevocations } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';

import { LastKnownGoodFile } from '../last-known-good/last-known-good-file.util';
import type { RevocationSource } from './revocation-set.service';

export interface DatabaseRevocationSourceOptions {
  /** Where the last list loaded is kept (`${dataDir}/gateway/revocations.json`); none: not kept. */
  readonly cacheFile?: string;
  readonly logger?: Logger;
  readonly now?: () => number;
}

function isRevocationList(value: unknown): value is ActiveRevocation[] {
  return Array.isArray(value) && value.every((r) => typeof r === 'object' && r !== null && typeof r.jti === 'string' && typeof r.exp === 'number');
}

/**
 * Revoked tokens from IAM's table. With a cache file, each list loaded is kept on disk and answers
 * while the database cannot, so a gateway restarted during an outage still refuses the tokens
 * revoked before it (a revocation published during the outage itself reaches it over the channel,
 * or not at all until the database is back).
 */
export function databaseRevocationSource(db: LgspDb, options: DatabaseRevocationSourceOptions = {}): RevocationSource {
  const now = options.now ?? Date.now;
  const cache = options.cacheFile === undefined ? undefined : new LastKnownGoodFile(options.cacheFile, isRevocationList, options.logger);
  let fromDisk = false;
  return {
    async loadActive() {
      let revocations: ActiveRevocation[];
      try {
        revocations = await loadActiveRevocations(db, new Date(now()));
      } catch (error) {
        const kept = await cache?.read();
        if (kept === undefined) throw error;
        if (!fromDisk) {
          options.logger?.warn({ err: error, event: { action: 'revocations-served-from-disk' }, file: { path: cache?.path } }, 'revoked tokens cannot be loaded from the database; using the list kept on disk');
        }
        fromDisk = true;
        return kept;
      }
      fromDisk = false;
      // Sorted, so an unchanged list is recognised as such and not written again.
      if (cache !== undefined) await cache.keep([...revocations].sort((a, b) => (a.jti < b.jti ? -1 : a.jti > b.jti ? 1 : 0)));
      return revocations;
    },
  };
}
