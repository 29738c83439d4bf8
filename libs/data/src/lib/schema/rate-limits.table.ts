import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';

import { apiVersions } from './api-versions.table';
import { createdAt, updatedAt } from './columns.util';
import { consumerSystems } from './consumer-systems.table';

/**
 * Budget overrides per consumer system, applied in each environment. A null api_version_id is the
 * consumer's default; NULLS NOT DISTINCT keeps that default unique too.
 */
export const rateLimits = pgTable(
  'rate_limits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => consumerSystems.id, { onDelete: 'cascade' }),
    apiVersionId: uuid('api_version_id').references(() => apiVersions.id, { onDelete: 'cascade' }),
    readPerMinute: integer('read_per_minute').notNull(),
    writePerMinute: integer('write_per_minute').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('rate_limits_consumer_id_api_version_id_unique').on(t.consumerId, t.apiVersionId).nullsNotDistinct(),
    check('rate_limits_read_per_minute_check', sql`${t.readPerMinute} > 0`),
    check('rate_limits_write_per_minute_check', sql`${t.writePerMinute} > 0`),
  ],
);
