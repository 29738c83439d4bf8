import { CONSUMER_STATUSES, type ConsumerStatus, SERVABLE_CLASSIFICATIONS } from '@lgsp/contracts';
import { sql } from 'drizzle-orm';
import { check, pgTable, smallint, text } from 'drizzle-orm/pg-core';

import { oneOf } from './check.util';
import { createdAt, updatedAt } from './columns.util';
import type { ConnectionOption } from './status.constant';

type ServableClassification = (typeof SERVABLE_CLASSIFICATIONS)[number];

/** A consumer system; its id is the `sub` of its access tokens. */
export const consumerSystems = pgTable(
  'consumer_systems',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    organisation: text('organisation'),
    status: text('status').$type<ConsumerStatus>().notNull().default('active'),
    securityLevel: smallint('security_level'),
    maxClassification: text('max_classification').$type<ServableClassification>(),
    connectionOption: smallint('connection_option').$type<ConnectionOption>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('consumer_systems_status_check', oneOf(t.status, CONSUMER_STATUSES)),
    check('consumer_systems_security_level_check', sql`${t.securityLevel} between 1 and 5`),
    check('consumer_systems_max_classification_check', oneOf(t.maxClassification, SERVABLE_CLASSIFICATIONS)),
    check('consumer_systems_connection_option_check', sql`${t.connectionOption} in (1, 2)`),
  ],
);
