import { type BareItem, type Dictionary, parseDictionary, serializeDictionary } from 'structured-headers';

import { type ComponentId, componentFromItem, componentToItem, isInnerList } from './component.util';
import { type SignatureParams, serializeSignatureParams } from './signature-base.util';
import { SignatureSyntaxError } from './signature.error';

/** One labelled signature of a message: its Signature-Input member and its Signature bytes. */
export interface ParsedSignature {
  readonly label: string;
  readonly covered: readonly ComponentId[];
  /** Every parameter, in the order received. */
  readonly params: SignatureParams;
  readonly created?: number;
  readonly expires?: number;
  readonly nonce?: string;
  readonly alg?: string;
  readonly keyid?: string;
  readonly tag?: string;
  /** The `@signature-params` value: the member of Signature-Input in its canonical serialisation. */
  readonly signatureParams: string;
  readonly signature: Buffer;
}

type KnownParams = Pick<SignatureParams, 'created' | 'expires' | 'nonce' | 'alg' | 'keyid' | 'tag'>;

const INTEGER_PARAMS: ReadonlySet<string> = new Set(['created', 'expires']);
const STRING_PARAMS: ReadonlySet<string> = new Set(['nonce', 'alg', 'keyid', 'tag']);

/**
 * Every signature of a message, in Signature-Input order. Throws SignatureSyntaxError when either
 * field is not a structured dictionary, a member has the wrong shape (RFC 9421 §4.1, §4.2), or a
 * label of Signature-Input has no signature. Members of Signature without an input are ignored.
 */
export function parseSignatureHeaders(signatureInput: string, signature: string): ParsedSignature[] {
  const inputs = dictionary('Signature-Input', signatureInput);
  const values = dictionary('Signature', signature);
  return [...inputs].map(([label, member]) => {
    if (!isInnerList(member)) throw new SignatureSyntaxError(`The Signature-Input member ${label} is not an inner list`);
    const [items, parameters] = member;
    const covered = items.map(componentFromItem);
    const params: Record<string, string | number | boolean> = {};
    for (const [name, value] of parameters) params[name] = paramValue(label, name, value);
    const { created, expires, nonce, alg, keyid, tag } = params as KnownParams;
    if (created !== undefined && expires !== undefined && expires < created) {
      throw new SignatureSyntaxError(`The signature ${label} expires before it was created`);
    }

    const value = values.get(label);
    if (value === undefined) throw new SignatureSyntaxError(`Signature-Input names ${label}, which Signature does not hold`);
    if (isInnerList(value) || !(value[0] instanceof ArrayBuffer)) {
      throw new SignatureSyntaxError(`The Signature member ${label} is not a byte sequence`);
    }
    return {
      label,
      covered,
      params,
      ...(created !== undefined && { created }),
      ...(expires !== undefined && { expires }),
      ...(nonce !== undefined && { nonce }),
      ...(alg !== undefined && { alg }),
      ...(keyid !== undefined && { keyid }),
      ...(tag !== undefined && { tag }),
      signatureParams: serializeSignatureParams(covered, params),
      signature: Buffer.from(value[0]),
    };
  });
}

/** The Signature-Input and Signature members of one signature: `label=(...);...` and `label=:...:`. */
export function serializeSignatureHeaders(
  label: string,
  covered: readonly ComponentId[],
  params: SignatureParams,
  signature: Uint8Array,
): { signatureInput: string; signature: string } {
  const entries = Object.entries(params).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined);
  try {
    return {
      signatureInput: serializeDictionary(new Map([[label, [covered.map(componentToItem), new Map<string, BareItem>(entries)]]])),
      signature: serializeDictionary(new Map([[label, [signature, new Map<string, BareItem>()]]])),
    };
  } catch (error) {
    throw new SignatureSyntaxError(`The signature ${label} cannot be serialised: ${(error as Error).message}`, { cause: error });
  }
}

function dictionary(field: string, value: string): Dictionary {
  try {
    return parseDictionary(value);
  } catch (error) {
    throw new SignatureSyntaxError(`${field} is not a structured dictionary: ${(error as Error).message}`, { cause: error });
  }
}

function paramValue(label: string, name: string, value: BareItem): string | number | boolean {
  if (INTEGER_PARAMS.has(name)) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new SignatureSyntaxError(`The ${name} parameter of ${label} must be a non-negative integer`);
    }
    return value;
  }
  if (STRING_PARAMS.has(name)) {
    if (typeof value !== 'string') throw new SignatureSyntaxError(`The ${name} parameter of ${label} must be a string`);
    return value;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  // A token, byte sequence or date would not serialise back to the same @signature-params.
  throw new SignatureSyntaxError(`The ${name} parameter of ${label} has a type this implementation does not support`);
}
