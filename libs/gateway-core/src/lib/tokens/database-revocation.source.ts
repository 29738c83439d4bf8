import type { LgspDb } from '@lgsp/data';
import { loadActiveRevocations } from '@lgsp/data';

import type { RevocationSource } from './revocation-set.service';

/** Revoked tokens from IAM's table. */
export function databaseRevocationSource(db: LgspDb, now: () => number = Date.now): RevocationSource {
  return { loadActive: () => loadActiveRevocations(db, new Date(now())) };
}
