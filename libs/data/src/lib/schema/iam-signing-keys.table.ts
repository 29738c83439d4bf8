import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

import { createdAt } from './columns.util';

/**
 * The authorization server's token-signing keys, shared by every IAM replica. A key is published in
 * the JWKS from creation until `expires_at` (its last token's expiry), signs from `activates_at`
 * until `retires_at`, and its private half is stored only encrypted under LGSP_KEY_ENCRYPTION_KEY.
 */
export const iamSigningKeys = pgTable(
  'iam_signing_keys',
  {
    kid: text('kid').primaryKey(),
    alg: text('alg').notNull().default('ES256'),
    publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
    privateKeyCiphertext: text('private_key_ciphertext').notNull(),
    activatesAt: timestamp('activates_at', { withTimezone: true }).notNull(),
    retiresAt: timestamp('retires_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('iam_signing_keys_expires_at_idx').on(t.expiresAt),
    check('iam_signing_keys_window_check', sql`${t.activatesAt} < ${t.retiresAt} and ${t.retiresAt} <= ${t.expiresAt}`),
  ],
);
