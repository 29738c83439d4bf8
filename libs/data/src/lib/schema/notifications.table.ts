import { bigserial, index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';

import { apiVersions } from './api-versions.table';
import { createdAt } from './columns.util';
import { consumerSystems } from './consumer-systems.table';

/** What a consumer system is told: an API version it subscribes to is deprecated, retired, blocked. */
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => consumerSystems.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    apiVersionId: uuid('api_version_id').references(() => apiVersions.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('notifications_consumer_id_id_idx').on(t.consumerId, t.id)],
);
