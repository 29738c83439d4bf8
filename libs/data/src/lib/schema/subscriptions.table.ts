import { ENVIRONMENTS, type Environment } from '@lgsp/contracts';
import { check, index, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';

import { apiVersions } from './api-versions.table';
import { oneOf } from './check.util';
import { createdAt } from './columns.util';
import { consumerSystems } from './consumer-systems.table';

/** A consumer system may call an API version in one environment. */
export const subscriptions = pgTable(
  'subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => consumerSystems.id, { onDelete: 'cascade' }),
    apiVersionId: uuid('api_version_id')
      .notNull()
      .references(() => apiVersions.id, { onDelete: 'cascade' }),
    environment: text('environment').$type<Environment>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique('subscriptions_consumer_id_api_version_id_environment_unique').on(
      t.consumerId,
      t.apiVersionId,
      t.environment,
    ),
    index('subscriptions_api_version_id_idx').on(t.apiVersionId),
    check('subscriptions_environment_check', oneOf(t.environment, ENVIRONMENTS)),
  ],
);
