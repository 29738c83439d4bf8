import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Access tokens revoked before their expiry (RFC 7009); a row may go once the token has expired. */
export const iamRevokedTokens = pgTable(
  'iam_revoked_tokens',
  {
    jti: text('jti').primaryKey(),
    clientId: text('client_id').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('iam_revoked_tokens_expires_at_idx').on(t.expiresAt)],
);
