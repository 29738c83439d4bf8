import { API_STATUSES, type ApiStatus, SERVABLE_CLASSIFICATIONS } from '@lgsp/contracts';
import { sql } from 'drizzle-orm';
import { check, date, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

import { apis } from './apis.table';
import { oneOf } from './check.util';
import { createdAt, updatedAt } from './columns.util';
import { API_KINDS, type ApiKind } from './status.constant';

type ServableClassification = (typeof SERVABLE_CLASSIFICATIONS)[number];

/** One version of an API: where it goes per environment, what it accepts, where it is in its lifecycle. */
export const apiVersions = pgTable(
  'api_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    apiId: uuid('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    version: text('version').notNull(),
    status: text('status').$type<ApiStatus>().notNull().default('draft'),
    // Tuyệt mật is left out of the check on purpose: such data can never be registered.
    classification: text('classification').$type<ServableClassification>().notNull(),
    upstreamSandbox: text('upstream_sandbox').notNull(),
    upstreamProduction: text('upstream_production').notNull(),
    kind: text('kind').$type<ApiKind>().notNull().default('rest'),
    // REST: the provider's OpenAPI 3.0 document; SOAP: null, described by its WSDL and read actions.
    openapi: jsonb('openapi').$type<Record<string, unknown>>(),
    openapiSha256: text('openapi_sha256'),
    wsdlUrl: text('wsdl_url'),
    soapReadActions: text('soap_read_actions').array().$type<string[]>(),
    sunset: date('sunset', { mode: 'string' }),
    readTimeoutMs: integer('read_timeout_ms'),
    writeTimeoutMs: integer('write_timeout_ms'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    deprecatedAt: timestamp('deprecated_at', { withTimezone: true }),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('api_versions_api_id_version_unique').on(t.apiId, t.version),
    check('api_versions_status_check', oneOf(t.status, API_STATUSES)),
    check('api_versions_classification_check', oneOf(t.classification, SERVABLE_CLASSIFICATIONS)),
    check('api_versions_kind_check', oneOf(t.kind, API_KINDS)),
    check(
      'api_versions_description_check',
      sql`(${t.kind} = 'rest' and ${t.openapi} is not null and ${t.openapiSha256} is not null) or (${t.kind} = 'soap' and ${t.wsdlUrl} is not null)`,
    ),
    check('api_versions_read_timeout_ms_check', sql`${t.readTimeoutMs} > 0`),
    check('api_versions_write_timeout_ms_check', sql`${t.writeTimeoutMs} > 0`),
  ],
);
