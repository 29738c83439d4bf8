import type { KeyObject } from 'node:crypto';

import { type ComponentId, componentId, serializeComponentId } from './component.util';
import type { HttpMessage } from './http-message.type';
import { isSignatureAlgorithm, keyMismatch, type SignatureAlgorithm, verifyBase } from './signature-algorithm.util';
import { signatureBase } from './signature-base.util';
import { type ParsedSignature, parseSignatureHeaders } from './signature-headers.util';
import { SignatureBaseError, SignatureSyntaxError } from './signature.error';

export interface VerificationKey {
  readonly key: KeyObject;
  readonly alg: SignatureAlgorithm;
}

export type VerificationFailureReason =
  | 'missing'
  | 'malformed'
  | 'unknown-key'
  | 'expired'
  | 'not-yet-valid'
  | 'bad-signature'
  | 'missing-component'
  | 'unsupported-alg';

export interface VerifyMessageOptions {
  /** The signature to verify; by default the first of Signature-Input. */
  readonly label?: string;
  /** The key named by `keyid`; undefined when there is none (the verification fails `unknown-key`). */
  readonly keyLookup: (keyid: string, alg: string | undefined) => VerificationKey | undefined | Promise<VerificationKey | undefined>;
  readonly now: () => Date;
  /** Refuse a signature created longer ago than this (`expired`); requires `created`. */
  readonly maxAgeSeconds?: number;
  /** How far in the future `created` may be (`not-yet-valid` beyond). Default 0; `expires` has no grace. */
  readonly clockSkewSeconds?: number;
  /** Components the signature must cover, e.g. `@method` or `"signature";req;key="sig1"`. */
  readonly requiredComponents?: readonly (string | ComponentId)[];
  /** Signature parameters that must be present, e.g. `created`, `keyid`. */
  readonly requiredParams?: readonly string[];
  /** Where the signature is carried; default Signature-Input and Signature. */
  readonly headerNames?: { readonly signatureInput: string; readonly signature: string };
}

export type MessageVerification =
  | {
      readonly ok: true;
      readonly label: string;
      readonly keyid: string;
      readonly alg: SignatureAlgorithm;
      /** Everything Signature-Input and Signature said about this signature. */
      readonly params: ParsedSignature;
      readonly covered: readonly ComponentId[];
      readonly base: string;
    }
  | { readonly ok: false; readonly reason: VerificationFailureReason; readonly detail: string; readonly label?: string };

export const STANDARD_SIGNATURE_HEADERS = { signatureInput: 'signature-input', signature: 'signature' } as const;

/**
 * Verifies one signature of a message (RFC 9421 §3.2). The checks run cheapest first: parsing, the
 * required components and parameters, the times, then the key lookup, and the signature itself last.
 */
export async function verifyMessageSignature(message: HttpMessage, options: VerifyMessageOptions): Promise<MessageVerification> {
  const names = options.headerNames ?? STANDARD_SIGNATURE_HEADERS;
  const inputField = message.headers(names.signatureInput);
  const signatureField = message.headers(names.signature);
  if (inputField === undefined && signatureField === undefined) return fail('missing', 'The message carries no signature');
  if (inputField === undefined || signatureField === undefined) {
    return fail('malformed', `The message carries ${inputField === undefined ? names.signature : names.signatureInput} without ${inputField === undefined ? names.signatureInput : names.signature}`);
  }

  let signatures: ParsedSignature[];
  try {
    signatures = parseSignatureHeaders(inputField, signatureField);
  } catch (error) {
    if (error instanceof SignatureSyntaxError) return fail('malformed', error.message);
    throw error;
  }
  const signature = options.label === undefined ? signatures[0] : signatures.find(({ label }) => label === options.label);
  if (signature === undefined) {
    return fail('missing', options.label === undefined ? `${names.signatureInput} holds no signature` : `The message has no signature labelled ${options.label}`);
  }
  const { label } = signature;

  for (const param of options.requiredParams ?? []) {
    if (signature.params[param] === undefined) return fail('malformed', `The signature ${label} has no ${param} parameter`, label);
  }
  const covered = new Set(signature.covered.map(serializeComponentId));
  for (const required of options.requiredComponents ?? []) {
    const identifier = serializeComponentId(componentId(required));
    if (!covered.has(identifier)) return fail('missing-component', `The signature ${label} does not cover ${identifier}`, label);
  }

  const now = Math.floor(options.now().getTime() / 1000);
  const skew = options.clockSkewSeconds ?? 0;
  if (signature.expires !== undefined && now > signature.expires) {
    return fail('expired', `The signature ${label} expired at ${iso(signature.expires)}`, label);
  }
  if (signature.created !== undefined && signature.created > now + skew) {
    return fail('not-yet-valid', `The signature ${label} is created in the future (${iso(signature.created)})`, label);
  }
  if (options.maxAgeSeconds !== undefined) {
    if (signature.created === undefined) return fail('malformed', `The signature ${label} has no created parameter`, label);
    if (now - signature.created > options.maxAgeSeconds) {
      return fail('expired', `The signature ${label} was created at ${iso(signature.created)}, more than ${options.maxAgeSeconds} s ago`, label);
    }
  }

  if (signature.keyid === undefined) return fail('unknown-key', `The signature ${label} names no key (keyid)`, label);
  if (signature.alg !== undefined && !isSignatureAlgorithm(signature.alg)) {
    return fail('unsupported-alg', `The algorithm ${signature.alg} of the signature ${label} is not supported`, label);
  }
  const verificationKey = await options.keyLookup(signature.keyid, signature.alg);
  if (verificationKey === undefined) return fail('unknown-key', `The key ${signature.keyid} is unknown`, label);
  const { key, alg } = verificationKey;
  if (signature.alg !== undefined && signature.alg !== alg) {
    return fail('unsupported-alg', `The signature ${label} says ${signature.alg}, but the key ${signature.keyid} is for ${alg}`, label);
  }
  const mismatch = keyMismatch(alg, key);
  if (mismatch !== undefined) return fail('unsupported-alg', `The key ${signature.keyid} cannot verify: ${mismatch}`, label);

  let base: string;
  try {
    base = signatureBase(message, signature.covered, signature.params);
  } catch (error) {
    if (error instanceof SignatureBaseError) return fail(error.kind === 'missing' ? 'missing-component' : 'malformed', error.message, label);
    if (error instanceof SignatureSyntaxError) return fail('malformed', error.message, label);
    throw error;
  }
  if (!verifyBase(alg, key, Buffer.from(base, 'ascii'), signature.signature)) {
    return fail('bad-signature', `The signature ${label} does not verify with the key ${signature.keyid}`, label);
  }
  return { ok: true, label, keyid: signature.keyid, alg, params: signature, covered: signature.covered, base };
}

function fail(reason: VerificationFailureReason, detail: string, label?: string): MessageVerification {
  return { ok: false, reason, detail, ...(label !== undefined && { label }) };
}

function iso(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} (UNIX seconds)` : date.toISOString();
}
