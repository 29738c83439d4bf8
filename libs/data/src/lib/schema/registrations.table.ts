import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

import { oneOf } from './check.util';
import { createdAt, updatedAt } from './columns.util';
import { consumerSystems } from './consumer-systems.table';
import { REGISTRATION_STATUSES, type RegistrationStatus } from './status.constant';

/**
 * A unit's request to connect a consumer system (form 01), and where it is in the DGO's workflow.
 * `form` is the validated submission as the unit sent it; `production_request` the attestation and
 * the signed confidentiality commitment (form 02).
 */
export const registrations = pgTable(
  'registrations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The tracking reference the unit quotes: REG-YYYYMMDD-XXXXXX. */
    reference: text('reference').notNull().unique('registrations_reference_unique'),
    /** Keyed hash of the follow-up secret that lets an unauthenticated submitter read its status. */
    followUpSecretHash: text('follow_up_secret_hash').notNull(),
    status: text('status').$type<RegistrationStatus>().notNull().default('submitted'),
    organisation: text('organisation'),
    form: jsonb('form').$type<Record<string, unknown>>().notNull(),
    consumerId: text('consumer_id').references(() => consumerSystems.id, { onDelete: 'set null' }),
    submittedBy: text('submitted_by'),
    /** Counted to rate-limit submissions without credentials per client IP. */
    submitterIp: text('submitter_ip').notNull(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
    /** Five working days after submission: the DGO's answer is due by then. */
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: text('decided_by'),
    decisionNote: text('decision_note'),
    sandboxIssuedAt: timestamp('sandbox_issued_at', { withTimezone: true }),
    sandboxTestsDoneAt: timestamp('sandbox_tests_done_at', { withTimezone: true }),
    productionRequest: jsonb('production_request').$type<Record<string, unknown>>(),
    productionRequestedAt: timestamp('production_requested_at', { withTimezone: true }),
    productionApprovedAt: timestamp('production_approved_at', { withTimezone: true }),
    productionApprovedBy: text('production_approved_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('registrations_status_due_at_idx').on(t.status, t.dueAt),
    index('registrations_organisation_idx').on(t.organisation),
    index('registrations_submitter_ip_submitted_at_idx').on(t.submitterIp, t.submittedAt),
    check('registrations_status_check', oneOf(t.status, REGISTRATION_STATUSES)),
    check('registrations_due_check', sql`${t.dueAt} > ${t.submittedAt}`),
  ],
);
