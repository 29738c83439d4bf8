import type { TransactionRecord } from '@lgsp/contracts';

import type { ChainState } from '../chain/hash-chain.util';

/**
 * A batch read from one outbox partition, in the partition's order. `chain` is the partition's chain
 * state before the batch (as last committed). The ledger chains and stores the records, then calls
 * `commit` with the chain state after them: the position and the chain state are replaced together,
 * durably, so a ledger that stops before `commit` reads the same records again from the same state
 * and rebuilds exactly the same chain (the store counts them as duplicates).
 */
export interface OutboxBatch {
  partition: string;
  chain: ChainState;
  records: TransactionRecord[];
  /** Complete lines that were not a record (kept for the dead letters, never chained). */
  malformed: string[];
  /** Torn tails passed over (a crash mid-write of an older file segment). */
  tornLines: number;
  commit(after: ChainState): Promise<void>;
}

export interface OutboxLag {
  /** Partitions holding unshipped records. */
  partitions: number;
  /** Unshipped records, where the engine counts them (PostgreSQL). */
  records?: number;
  /** Unshipped bytes, where the engine measures them (files). */
  bytes?: number;
  /** Segment files holding unshipped bytes (files). */
  segments?: number;
  /** Age in seconds of the oldest unshipped record, where known. */
  oldestSeconds?: number;
}

/** An outbox engine as the ledger reads it: segment directories, or the PostgreSQL table. */
export interface OutboxSource {
  /** The next batch of some partition with unshipped records (fair across partitions), or undefined when all is shipped. */
  next(limits: { maxRecords: number; maxBytes: number }): Promise<OutboxBatch | undefined>;
  lag(): Promise<OutboxLag>;
  close(): Promise<void>;
}
