import { relations } from 'drizzle-orm';

import { apiVersions } from './api-versions.table';
import { apis } from './apis.table';
import { certificates } from './certificates.table';
import { consumerSystems } from './consumer-systems.table';
import { credentials } from './credentials.table';
import { rateLimits } from './rate-limits.table';
import { subscriptions } from './subscriptions.table';

export const consumerSystemsRelations = relations(consumerSystems, ({ many }) => ({
  credentials: many(credentials),
  certificates: many(certificates),
  subscriptions: many(subscriptions),
  rateLimits: many(rateLimits),
}));

export const credentialsRelations = relations(credentials, ({ one }) => ({
  consumer: one(consumerSystems, { fields: [credentials.consumerId], references: [consumerSystems.id] }),
}));

export const certificatesRelations = relations(certificates, ({ one }) => ({
  consumer: one(consumerSystems, { fields: [certificates.consumerId], references: [consumerSystems.id] }),
}));

export const apisRelations = relations(apis, ({ many }) => ({
  versions: many(apiVersions),
}));

export const apiVersionsRelations = relations(apiVersions, ({ one, many }) => ({
  api: one(apis, { fields: [apiVersions.apiId], references: [apis.id] }),
  subscriptions: many(subscriptions),
  rateLimits: many(rateLimits),
}));

export const subscriptionsRelations = relations(subscriptions, ({ one }) => ({
  consumer: one(consumerSystems, { fields: [subscriptions.consumerId], references: [consumerSystems.id] }),
  apiVersion: one(apiVersions, { fields: [subscriptions.apiVersionId], references: [apiVersions.id] }),
}));

export const rateLimitsRelations = relations(rateLimits, ({ one }) => ({
  consumer: one(consumerSystems, { fields: [rateLimits.consumerId], references: [consumerSystems.id] }),
  apiVersion: one(apiVersions, { fields: [rateLimits.apiVersionId], references: [apiVersions.id] }),
}));
