import type { KeyObject } from 'node:crypto';

import { CompactSign } from 'jose';

import type { LedgerWriter, SignedHead } from '../store/ledger-store.type';
import type { ChainState } from './hash-chain.util';

/** The platform signing key (`PlatformSigningKey` of @lgsp/signature fits). */
export interface HeadSigningKey {
  readonly keyid: string;
  readonly privateKey: KeyObject;
}

/** What a head's JWS signs, in this order. */
export interface HeadPayload {
  partition: string;
  seq: number;
  hash: string;
  signedAt: string;
}

/** ES256 for an EC P-256 key, RS256 for RSA: the JWS names of the platform key's algorithms. */
export function headAlgorithmOf(key: KeyObject): 'ES256' | 'RS256' {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  throw new Error('chain heads are signed with an EC P-256 or an RSA key');
}

export async function signHead(key: HeadSigningKey, head: { partition: string; seq: number; hash: string }, signedAt: Date): Promise<SignedHead> {
  const payload: HeadPayload = { partition: head.partition, seq: head.seq, hash: head.hash, signedAt: signedAt.toISOString() };
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: headAlgorithmOf(key.privateKey), kid: key.keyid })
    .sign(key.privateKey);
  return { ...payload, jws };
}

/**
 * Signs each partition's committed chain state when it has advanced since the last head this signer
 * wrote. Only states the store has acknowledged are given to `committed`, so a head never covers a
 * record that is not stored.
 */
export class HeadSigner {
  private readonly committedStates = new Map<string, ChainState>();
  private readonly signedSeqs = new Map<string, number>();
  private signing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly key: HeadSigningKey,
    private readonly writer: Pick<LedgerWriter, 'appendHeads'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  committed(partition: string, state: ChainState): void {
    if (state.seq > (this.committedStates.get(partition)?.seq ?? 0)) this.committedStates.set(partition, state);
  }

  /** Heads for every partition that advanced, appended in one call; runs never overlap. On failure nothing is marked signed. */
  signAdvanced(): Promise<SignedHead[]> {
    const run = this.signing.then(() => this.sign());
    this.signing = run.catch(() => undefined);
    return run;
  }

  private async sign(): Promise<SignedHead[]> {
    const signedAt = this.now();
    const heads: SignedHead[] = [];
    for (const [partition, state] of this.committedStates) {
      if (state.seq > (this.signedSeqs.get(partition) ?? 0)) heads.push(await signHead(this.key, { partition, ...state }, signedAt));
    }
    if (heads.length === 0) return heads;
    await this.writer.appendHeads(heads);
    for (const head of heads) this.signedSeqs.set(head.partition, head.seq);
    return heads;
  }
}
