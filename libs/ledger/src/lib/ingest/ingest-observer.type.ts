import type { ChainedDocument } from '../chain/hash-chain.util';

/**
 * Told of every batch the store acknowledged (syslog forwarding, metrics), before the outbox is.
 * At least once: a batch re-read after a restart before its acknowledgement is told again. An
 * observer that throws is logged and never holds the ledger back.
 */
export interface IngestObserver {
  ingested(documents: readonly ChainedDocument[]): void | Promise<void>;
}
