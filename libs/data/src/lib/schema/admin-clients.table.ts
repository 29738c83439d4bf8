import { ADMIN_ROLES, type AdminRole } from '@lgsp/contracts';
import { sql } from 'drizzle-orm';
import { check, pgTable, text } from 'drizzle-orm/pg-core';

import { allOf, oneOf } from './check.util';
import { createdAt, updatedAt } from './columns.util';
import { ADMIN_CLIENT_STATUSES, type AdminClientStatus } from './status.constant';

/** Client credentials for people acting through the admin API until the portal exists. */
export const adminClients = pgTable(
  'admin_clients',
  {
    clientId: text('client_id').primaryKey(),
    name: text('name'),
    /** The unit a provider or consumer admin acts for: apis.provider, consumer_systems.organisation. */
    organisation: text('organisation'),
    roles: text('roles').array().$type<AdminRole[]>().notNull(),
    secretHash: text('secret_hash').notNull(),
    status: text('status').$type<AdminClientStatus>().notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('admin_clients_roles_check', sql`cardinality(${t.roles}) > 0 and ${allOf(t.roles, ADMIN_ROLES)}`),
    check('admin_clients_status_check', oneOf(t.status, ADMIN_CLIENT_STATUSES)),
  ],
);
