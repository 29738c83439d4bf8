import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

import { apiVersions } from './api-versions.table';
import { oneOf } from './check.util';
import { createdAt } from './columns.util';
import { BLOCK_SCOPES, type BlockScope } from './status.constant';

/**
 * Kill switches: the DGO stops a provider, an API version or one operation at once (503
 * api_blocked), outside the lifecycle rules. `ends_at` makes it a maintenance window; lifting
 * sets `lifted_at` and keeps the row as history.
 */
export const blocks = pgTable(
  'blocks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    scope: text('scope').$type<BlockScope>().notNull(),
    provider: text('provider'),
    apiVersionId: uuid('api_version_id').references(() => apiVersions.id, { onDelete: 'cascade' }),
    /** 'GET /persons/{id}': the method and the OpenAPI path template. */
    operation: text('operation'),
    reason: text('reason').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    liftedAt: timestamp('lifted_at', { withTimezone: true }),
    liftedBy: text('lifted_by'),
  },
  (t) => [
    index('blocks_lifted_at_idx').on(t.liftedAt),
    check('blocks_scope_check', oneOf(t.scope, BLOCK_SCOPES)),
    check(
      'blocks_target_check',
      sql`(${t.scope} = 'provider' and ${t.provider} is not null and ${t.apiVersionId} is null and ${t.operation} is null)
        or (${t.scope} = 'api-version' and ${t.apiVersionId} is not null and ${t.operation} is null)
        or (${t.scope} = 'operation' and ${t.apiVersionId} is not null and ${t.operation} is not null)`,
    ),
    check('blocks_window_check', sql`${t.endsAt} is null or ${t.endsAt} > ${t.startsAt}`),
  ],
);
