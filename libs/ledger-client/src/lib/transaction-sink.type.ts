import type { TransactionRecord } from '@lgsp/contracts';

/**
 * Where the gateway hands its transaction records. `record` never waits and never throws: the
 * request path must not depend on the ledger's health. Durability is the sink's job.
 */
export interface TransactionSink {
  record(record: TransactionRecord): void;
  /** Resolves once every record handed so far is durable. */
  flush(): Promise<void>;
  /** Flushes, then releases files and timers. */
  close(): Promise<void>;
  /** Records accepted but not yet durable. */
  readonly pending: number;
}
