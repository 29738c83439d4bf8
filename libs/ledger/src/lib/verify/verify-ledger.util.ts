import type { CompactVerifyGetKey, JSONWebKeySet, JWK } from 'jose';
import { compactVerify, importJWK } from 'jose';

import type { ChainedDocument } from '../chain/hash-chain.util';
import { GENESIS_HASH, chainHashOf } from '../chain/hash-chain.util';
import type { HeadPayload } from '../chain/head-signer.util';
import type { ChainReader, SignedHead } from '../store/ledger-store.type';

export type LedgerProblemKind = 'altered' | 'removed' | 'inserted' | 'head-invalid' | 'head-mismatch';

export interface LedgerProblem {
  kind: LedgerProblemKind;
  partition: string;
  /** The record's (or head's) seq; with `toSeq`, a range. */
  seq?: number;
  toSeq?: number;
  transactionId?: string;
  detail: string;
}

/** Records after a partition's last signed head: not yet covered by a signature (a note, not a problem). */
export interface UnsignedTail {
  partition: string;
  fromSeq: number;
  toSeq: number;
  count: number;
  /** The first ones (at most 20). */
  transactionIds: string[];
}

export interface LedgerVerification {
  from: string;
  to: string;
  ok: boolean;
  partitions: number;
  records: number;
  heads: number;
  problems: LedgerProblem[];
  unsignedTails: UnsignedTail[];
}

const TAIL_IDS = 20;
const HEAD_ALGORITHMS: Record<string, string> = { EC: 'ES256', RSA: 'RS256' };

/** The head's signed content when its JWS verifies under one of the keys and agrees with the stored fields. */
export async function verifyHead(head: SignedHead, keys: JSONWebKeySet): Promise<{ payload: HeadPayload } | { reason: string }> {
  const getKey: CompactVerifyGetKey = async (header) => {
    const jwk = keys.keys.find((candidate) => candidate.kid === header.kid);
    if (jwk === undefined) throw new Error(`no platform key with kid ${String(header.kid)}`);
    if (jwk.kty === undefined || HEAD_ALGORITHMS[jwk.kty] !== header.alg) throw new Error(`alg ${String(header.alg)} does not fit the key`);
    // The published JWK names its RFC 9421 algorithm; the JWS names its JOSE one.
    const { alg: _published, use: _use, key_ops: _ops, ...material } = jwk as JWK;
    return importJWK(material, header.alg);
  };
  let text: string;
  try {
    text = new TextDecoder().decode((await compactVerify(head.jws, getKey, { algorithms: ['ES256', 'RS256'] })).payload);
  } catch (error) {
    return { reason: `its signature does not verify with the platform keys (${(error as Error).message})` };
  }
  let payload: HeadPayload;
  try {
    payload = JSON.parse(text) as HeadPayload;
  } catch {
    return { reason: 'its signed content is not JSON' };
  }
  if (payload.partition !== head.partition || payload.seq !== head.seq || payload.hash !== head.hash || Date.parse(payload.signedAt) !== Date.parse(head.signedAt)) {
    return { reason: `the stored head (seq ${head.seq}) differs from what was signed (seq ${payload.seq})` };
  }
  return { payload };
}

interface Group {
  seq: number;
  documents: ChainedDocument[];
}

function transactionIdOf(document: ChainedDocument): string | undefined {
  return document.transaction?.id ?? document.event?.id;
}

function hasLink(document: ChainedDocument): boolean {
  const chain = document?.lgsp?.chain;
  return chain !== undefined && chain !== null && Number.isSafeInteger(chain.seq) && typeof chain.hash === 'string' && typeof chain.prev_hash === 'string';
}

function selfConsistent(document: ChainedDocument): boolean {
  try {
    return chainHashOf(document) === document.lgsp.chain.hash;
  } catch {
    return false;
  }
}

/** Groups a partition's records by seq (a forged second record at a seq makes a group of two). */
async function* groups(documents: AsyncIterable<ChainedDocument>, unlinked: (document: ChainedDocument) => void): AsyncGenerator<Group> {
  let current: Group | undefined;
  for await (const document of documents) {
    if (!hasLink(document)) {
      unlinked(document);
      continue;
    }
    const seq = document.lgsp.chain.seq;
    if (current !== undefined && current.seq === seq) {
      current.documents.push(document);
      continue;
    }
    if (current !== undefined) yield current;
    current = { seq, documents: [document] };
  }
  if (current !== undefined) yield current;
}

class PartitionCheck {
  readonly problems: LedgerProblem[] = [];
  records = 0;
  private tail?: UnsignedTail;

  constructor(
    private readonly partition: string,
    private readonly heads: readonly HeadPayload[],
  ) {}

  private report(problem: Omit<LedgerProblem, 'partition'>): void {
    this.problems.push({ partition: this.partition, ...problem });
  }

  /** Every record of a partition no signed head covers is reported: nothing vouches for any of it. */
  async unsigned(reader: ChainReader): Promise<void> {
    for await (const document of reader.chain(this.partition, 0, Number.MAX_SAFE_INTEGER)) {
      this.records += 1;
      this.report({ kind: 'inserted', seq: document?.lgsp?.chain?.seq, transactionId: transactionIdOf(document), detail: 'no signed head covers this partition' });
    }
  }

  async run(reader: ChainReader, from: Date, to: Date): Promise<UnsignedTail | undefined> {
    const start = [...this.heads].reverse().find((head) => Date.parse(head.signedAt) <= from.getTime());
    const end = this.heads.find((head) => Date.parse(head.signedAt) > to.getTime());
    const startSeq = start === undefined ? 1 : start.seq + 1;
    const endSeq = end === undefined ? Number.MAX_SAFE_INTEGER : end.seq;
    const headAt = new Map(this.heads.filter((head) => head.seq >= startSeq && head.seq <= endSeq).map((head) => [head.seq, head]));
    const lastHead = this.heads[this.heads.length - 1];

    let expected = startSeq;
    /** The hash the next record's prev_hash must carry; undefined when unknown (after a removal). */
    let prevHash: string | undefined = start === undefined ? GENESIS_HASH : start.hash;
    let previous: { seq: number; transactionId?: string; reported: boolean } | undefined;
    let lastHeadBefore = start?.seq ?? 0;

    const iterator = groups(reader.chain(this.partition, startSeq, endSeq), (document) => {
      this.records += 1;
      this.report({ kind: 'inserted', transactionId: transactionIdOf(document), detail: 'a record without a chain link' });
    })[Symbol.asyncIterator]();
    let next = await iterator.next();
    while (!next.done) {
      const group = next.value;
      next = await iterator.next();
      const following = !next.done && next.value.seq === group.seq + 1 ? next.value : undefined;
      this.records += group.documents.length;
      const seq = group.seq;
      if (seq > expected) {
        this.report({ kind: 'removed', seq: expected, ...(seq - 1 > expected ? { toSeq: seq - 1 } : {}), detail: seq - 1 > expected ? `seq ${expected} to ${seq - 1} missing` : `seq ${expected} missing` });
        prevHash = headAt.get(seq - 1)?.hash;
        previous = undefined;
      }
      const head = headAt.get(seq);
      const scored = group.documents.map((document) => {
        const link = document.lgsp.chain;
        const self = selfConsistent(document);
        const back = prevHash === undefined || link.prev_hash === prevHash;
        const forward: 'yes' | 'no' | 'unknown' =
          head !== undefined ? (head.hash === link.hash ? 'yes' : 'no') : following !== undefined ? (following.documents.some((d) => d.lgsp.chain.prev_hash === link.hash) ? 'yes' : 'no') : 'unknown';
        return { document, self, back, forward, rank: (forward === 'yes' ? 4 : 0) + (self ? 2 : 0) + (back ? 1 : 0) };
      });
      scored.sort((a, b) => b.rank - a.rank);
      const [genuine, ...others] = scored;
      for (const other of others) this.report({ kind: 'inserted', seq, transactionId: transactionIdOf(other.document), detail: `a second record at seq ${seq}` });

      const transactionId = transactionIdOf(genuine.document);
      let reported = false;
      let nextPrev: string | undefined = genuine.document.lgsp.chain.hash;
      if (!genuine.self) {
        this.report({ kind: 'altered', seq, transactionId, detail: 'its content does not match its hash' });
        reported = true;
      } else if (!genuine.back) {
        if (genuine.forward === 'yes') {
          // This record is vouched for by what follows: the one before was rewritten, its hash recomputed.
          if (previous === undefined || !previous.reported) {
            this.report({ kind: 'altered', seq: seq - 1, transactionId: previous?.transactionId, detail: `rewritten with a recomputed hash: seq ${seq} does not link to it` });
          }
        } else {
          this.report({ kind: 'inserted', seq, transactionId, detail: `its prev_hash does not link to seq ${seq - 1} while its own hash is consistent` });
          reported = true;
          nextPrev = undefined;
        }
      }
      if (head !== undefined) {
        if (genuine.document.lgsp.chain.hash !== head.hash && !reported) {
          this.report({ kind: 'head-mismatch', seq, transactionId, detail: `the chain was rewritten between seq ${lastHeadBefore} and ${seq}: the signed head at ${seq} does not match` });
        }
        nextPrev = head.hash;
        lastHeadBefore = seq;
      }
      prevHash = nextPrev;
      previous = { seq, transactionId, reported };
      expected = seq + 1;
      if (lastHead !== undefined && seq > lastHead.seq && end === undefined) {
        this.tail ??= { partition: this.partition, fromSeq: seq, toSeq: seq, count: 0, transactionIds: [] };
        this.tail.toSeq = seq;
        this.tail.count += group.documents.length;
        for (const document of group.documents) if (this.tail.transactionIds.length < TAIL_IDS) this.tail.transactionIds.push(transactionIdOf(document) ?? '?');
      }
    }
    const lastSigned = end ?? lastHead;
    if (lastSigned !== undefined && lastSigned.seq >= expected) {
      this.report({ kind: 'removed', seq: expected, ...(lastSigned.seq > expected ? { toSeq: lastSigned.seq } : {}), detail: `the signed head at seq ${lastSigned.seq} has no record` });
    }
    return this.tail;
  }
}

/**
 * Checks the ledger's hash chains over a period: per partition from the last valid signed head at or
 * before `from` (or genesis) to the first one after `to` (or the end). Each tampered record is named
 * once: an altered record keeps its stored hash, which the next record still links to, so nothing
 * after it is reported; a removal is a gap; a forgery is a record that does not fit where it sits.
 */
export async function verifyLedger(reader: ChainReader, keys: JSONWebKeySet, period: { from: Date; to: Date }): Promise<LedgerVerification> {
  const problems: LedgerProblem[] = [];
  const unsignedTails: UnsignedTail[] = [];
  let records = 0;
  let headCount = 0;
  const partitions = await reader.partitions(period.from, period.to);
  for (const partition of partitions) {
    const valid: HeadPayload[] = [];
    for (const head of await reader.heads(partition)) {
      headCount += 1;
      const checked = await verifyHead(head, keys);
      if ('reason' in checked) problems.push({ kind: 'head-invalid', partition, seq: head.seq, detail: `the head signed at ${head.signedAt}: ${checked.reason}` });
      else if (valid.length === 0 || valid[valid.length - 1].seq !== checked.payload.seq) valid.push(checked.payload);
    }
    valid.sort((a, b) => a.seq - b.seq);
    const check = new PartitionCheck(partition, valid);
    if (valid.length === 0) {
      await check.unsigned(reader);
    } else {
      const tail = await check.run(reader, period.from, period.to);
      if (tail !== undefined) unsignedTails.push(tail);
    }
    records += check.records;
    problems.push(...check.problems);
  }
  problems.sort((a, b) => a.partition.localeCompare(b.partition) || (a.seq ?? 0) - (b.seq ?? 0));
  return { from: period.from.toISOString(), to: period.to.toISOString(), ok: problems.length === 0, partitions: partitions.length, records, heads: headCount, problems, unsignedTails };
}

/** The report as an operator reads it. */
export function formatLedgerVerification(report: LedgerVerification): string {
  const lines = [`Ledger ${report.from} to ${report.to}: ${report.partitions} partition(s), ${report.records} record(s), ${report.heads} signed head(s) checked.`];
  for (const problem of report.problems) {
    const at = problem.seq === undefined ? '' : problem.toSeq === undefined ? ` seq ${problem.seq}` : ` seq ${problem.seq}-${problem.toSeq}`;
    lines.push(`  ${problem.kind.toUpperCase()} ${problem.partition}${at}${problem.transactionId === undefined ? '' : ` transaction ${problem.transactionId}`}: ${problem.detail}`);
  }
  for (const tail of report.unsignedTails) {
    lines.push(`  note: ${tail.partition} seq ${tail.fromSeq}-${tail.toSeq}: ${tail.count} record(s) after the last signed head, not yet covered (${tail.transactionIds.join(', ')}${tail.count > tail.transactionIds.length ? ', ...' : ''})`);
  }
  lines.push(report.ok ? 'OK: no record altered, removed or inserted.' : `FAILED: ${report.problems.length} problem(s).`);
  return lines.join('\n') + '\n';
}
