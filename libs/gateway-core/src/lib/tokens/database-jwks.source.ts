import type { LgspDb } from '@lgsp/data';
import { loadPublishedJwks } from '@lgsp/data';

import type { JwksSource } from './jwks-state.service';

/** The signing keys straight from IAM's table: the embedded default, and any gateway with database access. */
export function databaseJwksSource(db: LgspDb, now: () => number = Date.now): JwksSource {
  return { load: () => loadPublishedJwks(db, new Date(now())) };
}
