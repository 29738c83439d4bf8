import { ENVIRONMENTS, type Environment } from '@lgsp/contracts';
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

import { oneOf } from './check.util';
import { createdAt, updatedAt } from './columns.util';
import { consumerSystems } from './consumer-systems.table';
import { CREDENTIAL_STATUSES, type CredentialStatus } from './status.constant';

/** OAuth client credentials of a consumer system, one environment each; client_id is the Consumer Key. */
export const credentials = pgTable(
  'credentials',
  {
    clientId: text('client_id').primaryKey(),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => consumerSystems.id, { onDelete: 'cascade' }),
    environment: text('environment').$type<Environment>().notNull(),
    secretHash: text('secret_hash').notNull(),
    previousSecretHash: text('previous_secret_hash'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
    tokenTtlSeconds: integer('token_ttl_seconds'),
    status: text('status').$type<CredentialStatus>().notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('credentials_consumer_id_idx').on(t.consumerId),
    check('credentials_environment_check', oneOf(t.environment, ENVIRONMENTS)),
    check('credentials_status_check', oneOf(t.status, CREDENTIAL_STATUSES)),
    check('credentials_token_ttl_seconds_check', sql`${t.tokenTtlSeconds} > 0`),
  ],
);
