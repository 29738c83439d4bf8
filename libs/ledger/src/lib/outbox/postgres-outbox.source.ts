import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import type { TransactionRecord } from '@lgsp/contracts';
import { Pool } from 'pg';
import type { PoolClient } from 'pg';

import { GENESIS_HASH } from '../chain/hash-chain.util';
import type { ChainState } from '../chain/hash-chain.util';
import type { OutboxBatch, OutboxLag, OutboxSource } from './outbox-source.type';

export interface PostgresOutboxSourceOptions {
  /** postgres://… — the source opens (and closes) a pool of its own. */
  databaseUrl?: string;
  /** A pool the caller owns: used, never ended. */
  pool?: Pool;
  /** Names this reader in `lease_owner`; unique per ledger process (a random one by default). */
  owner?: string;
  /** How long a lease holds without renewal; renewed every third of it while a batch is out. */
  leaseMs?: number;
}

export const OUTBOX_DEFAULT_LEASE_MS = 30_000;

/** The lease was taken over (it ran out) or the partition moved on while a batch was out: nothing was committed. */
export class OutboxLeaseLostError extends Error {
  constructor(readonly partition: string) {
    super(`the lease on outbox partition ${partition} was lost before the batch was committed`);
    this.name = 'OutboxLeaseLostError';
  }
}

interface LeasedPartition {
  partition: string;
  shipped_seq: string;
  chain_seq: string;
  chain_hash: string | null;
}

// The next partition after the last one served (then from the start again) whose next record is
// there and whose lease is free or run out (never one we hold: a batch of it is still out); SKIP LOCKED lets replicas claim different ones
// at the same time, and the row lock re-checks the lease against a claim committed meanwhile.
const CLAIM = `
update ledger_outbox_partitions p
   set lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
 where p.partition = (
   select q.partition from ledger_outbox_partitions q
    where (q.lease_owner is null or q.lease_until < now())
      and exists (select 1 from ledger_outbox o where o.partition = q.partition and o.seq = q.shipped_seq + 1)
    order by q.partition <= $3, q.partition
    limit 1
    for update skip locked)
returning p.partition, p.shipped_seq, p.chain_seq, p.chain_hash`;

const RENEW = `
update ledger_outbox_partitions set lease_until = now() + make_interval(secs => $3::double precision / 1000)
 where partition = $1 and lease_owner = $2`;

const READ = `
select seq, record from ledger_outbox
 where partition = $1 and seq > $2 and seq <= $2 + $3
 order by seq`;

const ACKNOWLEDGE = `
update ledger_outbox_partitions
   set shipped_seq = $3, chain_seq = $4, chain_hash = $5, lease_owner = null, lease_until = null
 where partition = $1 and lease_owner = $2 and shipped_seq = $6`;

const LAG = `
select count(*)::int as partitions, coalesce(sum(n), 0)::bigint as records,
       array_agg(head) filter (where head is not null) as heads
  from (select o.partition, count(*) as n,
               (select h.record from ledger_outbox h where h.partition = o.partition order by h.seq limit 1) as head
          from ledger_outbox o group by o.partition) per_partition`;

/** A record needs at least its transaction id: it is the document id. */
function parseRecord(line: string): TransactionRecord | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value === 'object' && value !== null && typeof (value as TransactionRecord).transactionId === 'string') return value as TransactionRecord;
  } catch {
    // falls through: not JSON
  }
  return undefined;
}

/**
 * The ledger's reading of the PostgreSQL outbox. A partition is read by one ledger replica at a
 * time, under a lease in its `ledger_outbox_partitions` row that is renewed while a batch is out
 * and given back by its commit; partitions are served in turn, so one busy gateway does not starve
 * the others. A batch is the contiguous run of rows after `shipped_seq`: a partition has one
 * writer and one batch in flight, so what is visible is always a prefix of its seq order.
 */
export class PostgresOutboxSource implements OutboxSource {
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly leaseMs: number;
  readonly owner: string;
  private lastServed = '';
  private readonly renewals = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(options: PostgresOutboxSourceOptions) {
    if (options.pool !== undefined) {
      this.pool = options.pool;
      this.ownsPool = false;
    } else if (options.databaseUrl !== undefined) {
      this.pool = new Pool({ connectionString: options.databaseUrl, max: 2, connectionTimeoutMillis: 5000 });
      this.pool.on('error', () => undefined);
      this.pool.on('connect', (client) => client.on('error', () => undefined));
      this.ownsPool = true;
    } else {
      throw new Error('PostgresOutboxSource needs a databaseUrl or a pool');
    }
    this.leaseMs = options.leaseMs ?? OUTBOX_DEFAULT_LEASE_MS;
    this.owner = options.owner ?? `ledger ${hostname()} pid ${process.pid} ${randomUUID()}`;
  }

  async next(limits: { maxRecords: number; maxBytes: number }): Promise<OutboxBatch | undefined> {
    if (this.closed) return undefined;
    const claimed = await this.pool.query<LeasedPartition>(CLAIM, [this.owner, this.leaseMs, this.lastServed]);
    const leased = claimed.rows[0];
    if (leased === undefined) return undefined;
    const partition = leased.partition;
    this.lastServed = partition;
    const shippedSeq = Number(leased.shipped_seq);
    const chain: ChainState = { seq: Number(leased.chain_seq), hash: leased.chain_hash ?? GENESIS_HASH };

    const renewal = setInterval(() => void this.pool.query(RENEW, [partition, this.owner, this.leaseMs]).catch(() => undefined), Math.max(Math.floor(this.leaseMs / 3), 1));
    renewal.unref();
    this.renewals.add(renewal);
    const stopRenewing = (): void => {
      clearInterval(renewal);
      this.renewals.delete(renewal);
    };

    let rows: { seq: string; record: string }[];
    try {
      rows = (await this.pool.query<{ seq: string; record: string }>(READ, [partition, shippedSeq, Math.max(limits.maxRecords, 1)])).rows;
    } catch (error) {
      stopRenewing();
      throw error;
    }
    const records: TransactionRecord[] = [];
    const malformed: string[] = [];
    let lastSeq = shippedSeq;
    let bytes = 0;
    for (const row of rows) {
      const seq = Number(row.seq);
      // Only the contiguous run: never a record past a seq not yet visible.
      if (seq !== lastSeq + 1) break;
      const size = Buffer.byteLength(row.record, 'utf8');
      if (lastSeq > shippedSeq && bytes + size > limits.maxBytes) break;
      bytes += size;
      lastSeq = seq;
      const record = parseRecord(row.record);
      if (record === undefined) malformed.push(row.record);
      else records.push(record);
    }

    if (lastSeq === shippedSeq) {
      stopRenewing();
      await this.pool.query('update ledger_outbox_partitions set lease_owner = null, lease_until = null where partition = $1 and lease_owner = $2', [partition, this.owner]);
      return undefined;
    }
    return {
      partition,
      chain,
      records,
      malformed,
      tornLines: 0,
      commit: async (after: ChainState): Promise<void> => {
        stopRenewing();
        await this.acknowledge(partition, shippedSeq, lastSeq, after);
      },
    };
  }

  async lag(): Promise<OutboxLag> {
    const result = await this.pool.query<{ partitions: number; records: string; heads: string[] | null }>(LAG);
    const row = result.rows[0];
    let oldest: number | undefined;
    for (const head of row.heads ?? []) {
      const receivedAt = Date.parse(parseRecord(head)?.receivedAt ?? '');
      if (!Number.isNaN(receivedAt) && (oldest === undefined || receivedAt < oldest)) oldest = receivedAt;
    }
    return {
      partitions: row.partitions,
      records: Number(row.records),
      ...(oldest === undefined ? {} : { oldestSeconds: Math.max(0, (Date.now() - oldest) / 1000) }),
    };
  }

  /** Gives back the leases still held (a batch not committed is read again, by whoever claims it next). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const renewal of this.renewals) clearInterval(renewal);
    this.renewals.clear();
    try {
      await this.pool.query('update ledger_outbox_partitions set lease_owner = null, lease_until = null where lease_owner = $1', [this.owner]);
    } finally {
      if (this.ownsPool) await this.pool.end();
    }
  }

  /** The acknowledged rows go, and the position and chain state move, in one transaction, or nothing happens. */
  private async acknowledge(partition: string, shippedSeq: number, lastSeq: number, after: ChainState): Promise<void> {
    const client: PoolClient = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const moved = await client.query(ACKNOWLEDGE, [partition, this.owner, lastSeq, after.seq, after.hash, shippedSeq]);
      if (moved.rowCount !== 1) {
        await client.query('rollback');
        throw new OutboxLeaseLostError(partition);
      }
      await client.query('delete from ledger_outbox where partition = $1 and seq <= $2', [partition, lastSeq]);
      await client.query('commit');
    } catch (error) {
      if (!(error instanceof OutboxLeaseLostError)) {
        // A connection that failed mid-transaction is not given back to the pool.
        broken = error instanceof Error ? error : new Error(String(error));
        await client.query('rollback').catch(() => undefined);
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
