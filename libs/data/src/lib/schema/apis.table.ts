import { pgTable, text, uuid } from 'drizzle-orm/pg-core';

import { createdAt, updatedAt } from './columns.util';

/** A provider data service, addressed by its domain in /{version}/{domain}/...; its versions carry the rest. */
export const apis = pgTable('apis', {
  id: uuid('id').primaryKey().defaultRandom(),
  domain: text('domain').notNull().unique('apis_domain_unique'),
  name: text('name'),
  provider: text('provider'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
