import { check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

import { oneOf } from './check.util';
import { createdAt, updatedAt } from './columns.util';
import { consumerSystems } from './consumer-systems.table';
import { CERTIFICATE_STATUSES, type CertificateStatus } from './status.constant';

/** X.509 certificates a consumer system signs requests with; id is the RFC 9421 keyid. */
export const certificates = pgTable(
  'certificates',
  {
    id: text('id').primaryKey(),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => consumerSystems.id, { onDelete: 'cascade' }),
    pem: text('pem').notNull(),
    fingerprintSha256: text('fingerprint_sha256').notNull().unique('certificates_fingerprint_sha256_unique'),
    subject: text('subject').notNull(),
    issuer: text('issuer').notNull(),
    serialNumber: text('serial_number').notNull(),
    notBefore: timestamp('not_before', { withTimezone: true }).notNull(),
    notAfter: timestamp('not_after', { withTimezone: true }).notNull(),
    status: text('status').$type<CertificateStatus>().notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('certificates_consumer_id_idx').on(t.consumerId),
    check('certificates_status_check', oneOf(t.status, CERTIFICATE_STATUSES)),
  ],
);
