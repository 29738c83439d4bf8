import { bigint, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * The cluster's shared outbox (LGSP_LEDGER_OUTBOX=postgres): each gateway or IAM process writes its
 * transaction records, as the JSON lines of the file outbox, into a partition of its own, numbered
 * without gaps in the order it wrote them. One writer per partition and one batch at a time, so a
 * partition's commit order is its `seq` order and the ledger reads it like a file. Rows are deleted
 * once the ledger's store has acknowledged them.
 */
export const ledgerOutbox = pgTable(
  'ledger_outbox',
  {
    partition: text('partition').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    record: text('record').notNull(),
  },
  (t) => [primaryKey({ name: 'ledger_outbox_pkey', columns: [t.partition, t.seq] })],
);

/**
 * One row per outbox partition (PostgreSQL outbox) with the ledger's progress through it: the last
 * `seq` acknowledged by the store and the hash chain's state there, replaced together after each
 * acknowledgement, so a restarted ledger rebuilds exactly the same chain. The lease lets several
 * ledger replicas share partitions, one reader per partition at a time.
 */
export const ledgerOutboxPartitions = pgTable('ledger_outbox_partitions', {
  partition: text('partition').primaryKey(),
  /** Who writes it: service, host and process id. */
  writer: text('writer').notNull(),
  openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
  shippedSeq: bigint('shipped_seq', { mode: 'number' }).notNull().default(0),
  chainSeq: bigint('chain_seq', { mode: 'number' }).notNull().default(0),
  chainHash: text('chain_hash'),
  leaseOwner: text('lease_owner'),
  leaseUntil: timestamp('lease_until', { withTimezone: true }),
});

/**
 * The ledger's own store (without ELASTICSEARCH_URL): every transaction as its ECS document, in the
 * canonical JSON the hash chain covers, with the columns SOC search and reconciliation filter on.
 */
export const ledgerTransactions = pgTable(
  'ledger_transactions',
  {
    transactionId: uuid('transaction_id').primaryKey(),
    receivedAt: timestamp('received_at', { withTimezone: true, precision: 3 }).notNull(),
    requestId: text('request_id'),
    consumerId: text('consumer_id'),
    clientId: text('client_id'),
    providerId: text('provider_id'),
    apiDomain: text('api_domain'),
    apiVersion: text('api_version'),
    environment: text('environment'),
    method: text('method').notNull(),
    status: integer('status').notNull(),
    errorCode: text('error_code'),
    clientIp: text('client_ip').notNull(),
    securityEvent: text('security_event'),
    /** The request reached the provider (an upstream attempt was made). */
    upstream: integer('upstream').notNull().default(0),
    partition: text('partition').notNull(),
    chainSeq: bigint('chain_seq', { mode: 'number' }).notNull(),
    chainHash: text('chain_hash').notNull(),
    /** Canonical JSON (RFC 8785) of the ECS document, chain fields included. */
    document: text('document').notNull(),
  },
  (t) => [
    uniqueIndex('ledger_transactions_chain_idx').on(t.partition, t.chainSeq),
    index('ledger_transactions_received_idx').on(t.receivedAt),
    index('ledger_transactions_consumer_idx').on(t.consumerId, t.receivedAt),
    index('ledger_transactions_provider_idx').on(t.providerId, t.receivedAt),
    index('ledger_transactions_request_idx').on(t.requestId),
    index('ledger_transactions_security_idx').on(t.securityEvent, t.receivedAt),
  ],
);

/** Signed chain heads: at a fixed interval the platform signs (partition, seq, hash) as a JWS. */
export const ledgerHeads = pgTable(
  'ledger_heads',
  {
    partition: text('partition').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
    signedAt: timestamp('signed_at', { withTimezone: true, precision: 3 }).notNull(),
    /** Compact JWS (ES256/RS256 under the platform signing key) of {partition, seq, hash, signedAt}. */
    jws: text('jws').notNull(),
  },
  (t) => [primaryKey({ name: 'ledger_heads_pkey', columns: [t.partition, t.seq] }), index('ledger_heads_signed_idx').on(t.signedAt)],
);
