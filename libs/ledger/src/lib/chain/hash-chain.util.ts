import { createHash } from 'node:crypto';

import { canonicalJson } from '@lgsp/data';

import type { EcsTransactionDocument } from '../shipping/ecs-document.util';

/** The `prev_hash` of a partition's first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Where one record sits in its outbox partition's hash chain (ECS `lgsp.chain`). */
export interface ChainLink {
  /** The outbox partition: a segment directory's id, or a PostgreSQL outbox partition. */
  partition: string;
  /** 1, 2, 3, ... in ingest order within the partition, without gaps. */
  seq: number;
  /** Lower-case hex SHA-256: the previous record's `hash` (GENESIS_HASH for seq 1). */
  prev_hash: string;
  /** Lower-case hex SHA-256 of `prev_hash` + "\n" + the canonical JSON of the document without `lgsp.chain.hash`. */
  hash: string;
}

/** A transaction's ECS document as stored: with its place in the chain. */
export type ChainedDocument = EcsTransactionDocument & { lgsp: EcsTransactionDocument['lgsp'] & { chain: ChainLink } };

/** A partition's chain after its last ingested record. */
export interface ChainState {
  seq: number;
  hash: string;
}

export const EMPTY_CHAIN: ChainState = { seq: 0, hash: GENESIS_HASH };

/** The hash a document's chain link must carry (its own `lgsp.chain.hash` is left out of the input). */
export function chainHashOf(document: ChainedDocument): string {
  const { hash: _ignored, ...link } = document.lgsp.chain;
  const unhashed = { ...document, lgsp: { ...document.lgsp, chain: link } };
  return createHash('sha256').update(`${link.prev_hash}\n`, 'utf8').update(canonicalJson(unhashed), 'utf8').digest('hex');
}

/** Appends a document to a partition's chain: returns the chained document and the new state. */
export function chainDocument(document: EcsTransactionDocument, partition: string, state: ChainState): { document: ChainedDocument; state: ChainState } {
  const seq = state.seq + 1;
  const chained = { ...document, lgsp: { ...document.lgsp, chain: { partition, seq, prev_hash: state.hash, hash: '' } } } as ChainedDocument;
  chained.lgsp.chain.hash = chainHashOf(chained);
  return { document: chained, state: { seq, hash: chained.lgsp.chain.hash } };
}
