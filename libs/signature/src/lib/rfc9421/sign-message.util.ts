import type { KeyObject } from 'node:crypto';

import { type ComponentId, componentId } from './component.util';
import type { HttpMessage } from './http-message.type';
import { keyMismatch, type SignatureAlgorithm, signBase } from './signature-algorithm.util';
import { type SignatureParams, signatureBase } from './signature-base.util';
import { serializeSignatureHeaders } from './signature-headers.util';

/** Signs a signature base elsewhere: a hardware token, an HSM, a KMS. Returns the raw signature. */
export type Signer = (base: Buffer) => Promise<Buffer>;

export interface SignMessageOptions {
  readonly label: string;
  readonly components: readonly (string | ComponentId)[];
  readonly keyid: string;
  readonly alg: SignatureAlgorithm;
  /** The private key (or the shared secret for hmac-sha256); or `signer` instead. */
  readonly key?: KeyObject;
  readonly signer?: Signer;
  readonly created: Date;
  readonly expires?: Date;
  readonly nonce?: string;
  readonly tag?: string;
  /** Whether Signature-Input carries `alg` (default true; RFC 9421 leaves it optional). */
  readonly includeAlg?: boolean;
}

export interface SignedMessage {
  /** The member to add to Signature-Input: `label=(...);created=...`. */
  readonly signatureInput: string;
  /** The member to add to Signature: `label=:base64:`. */
  readonly signature: string;
  readonly base: string;
  readonly params: SignatureParams;
}

/**
 * Signs a message (RFC 9421 §3.1). The parameters are written in the order created, keyid, alg,
 * expires, nonce, tag. To add the signature beside existing ones, append each member to its field
 * after ", ".
 */
export async function signMessage(message: HttpMessage, options: SignMessageOptions): Promise<SignedMessage> {
  const { key, signer } = options;
  if ((key === undefined) === (signer === undefined)) throw new TypeError('signMessage needs either a key or a signer');
  if (key !== undefined) {
    const mismatch = keyMismatch(options.alg, key);
    if (mismatch !== undefined) throw new TypeError(mismatch);
  }
  const covered = options.components.map(componentId);
  const params: SignatureParams = {
    created: seconds(options.created, 'created'),
    keyid: options.keyid,
    ...(options.includeAlg !== false && { alg: options.alg }),
    ...(options.expires !== undefined && { expires: seconds(options.expires, 'expires') }),
    ...(options.nonce !== undefined && { nonce: options.nonce }),
    ...(options.tag !== undefined && { tag: options.tag }),
  };
  const base = signatureBase(message, covered, params);
  const bytes = Buffer.from(base, 'ascii');
  const signature = key !== undefined ? signBase(options.alg, key, bytes) : await (signer as Signer)(bytes);
  return { ...serializeSignatureHeaders(options.label, covered, params, signature), base, params };
}

function seconds(date: Date, name: string): number {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new RangeError(`${name} is an invalid date`);
  return Math.floor(time / 1000);
}
