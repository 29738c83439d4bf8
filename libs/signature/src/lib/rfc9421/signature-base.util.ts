import { type BareItem, serializeInnerList } from 'structured-headers';

import { type ComponentId, componentId, componentToItem, componentValue, serializeComponentId } from './component.util';
import type { HttpMessage } from './http-message.type';
import { SignatureBaseError, SignatureSyntaxError } from './signature.error';

/**
 * The signature parameters of RFC 9421 §2.3, serialised in the order of their keys. `created` and
 * `expires` are UNIX seconds. Other parameters (registered later, or private) are kept as received.
 */
export interface SignatureParams {
  readonly created?: number;
  readonly expires?: number;
  readonly nonce?: string;
  readonly alg?: string;
  readonly keyid?: string;
  readonly tag?: string;
  readonly [param: string]: string | number | boolean | undefined;
}

/** The value of `@signature-params`, and of the Signature-Input member: `("@method" ...);created=...`. */
export function serializeSignatureParams(components: readonly (string | ComponentId)[], params: SignatureParams): string {
  const entries = Object.entries(params).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined);
  try {
    return serializeInnerList([components.map((component) => componentToItem(componentId(component))), new Map<string, BareItem>(entries)]);
  } catch (error) {
    if (error instanceof SignatureSyntaxError) throw error;
    throw new SignatureSyntaxError(`The signature parameters cannot be serialised: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The signature base of RFC 9421 §2.5: one `"identifier": value` line per covered component, then
 * the `"@signature-params"` line, joined by LF without a trailing one. A component may be covered
 * once only. Throws SignatureBaseError (a component missing or invalid) or SignatureSyntaxError.
 */
export function signatureBase(message: HttpMessage, components: readonly (string | ComponentId)[], params: SignatureParams): string {
  const covered = components.map(componentId);
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const component of covered) {
    const identifier = serializeComponentId(component);
    if (seen.has(identifier)) throw new SignatureBaseError('invalid', `The component ${identifier} is covered more than once`);
    seen.add(identifier);
    lines.push(`${identifier}: ${componentValue(message, component)}`);
  }
  lines.push(`"@signature-params": ${serializeSignatureParams(covered, params)}`);
  return lines.join('\n');
}
