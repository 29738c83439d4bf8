import type { IncomingHttpHeaders } from 'node:http';

import { isWriteMethod } from '@lgsp/contracts';

export type SoapVersion = '1.1' | '1.2';

/** SOAP 1.1 (text/xml) and SOAP 1.2 (application/soap+xml) media types. */
export const SoapMediaType = {
  soap11: 'text/xml',
  soap12: 'application/soap+xml',
} as const;

// The `action` parameter of a SOAP 1.2 content type (RFC 3902): a quoted string or a token.
const ACTION_PARAMETER = /;\s*action\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/i;

function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * The SOAP version a request speaks, by its content type; a request to a SOAP API in any other
 * content type (a WSDL fetch, a garbled call) is answered as SOAP 1.1, the lowest common ground.
 * Undefined: not a SOAP request.
 */
export function soapVersionOf(headers: IncomingHttpHeaders, soapRoute: boolean): SoapVersion | undefined {
  const mediaType = mediaTypeOf(headers['content-type']);
  if (mediaType === SoapMediaType.soap12) return '1.2';
  if (mediaType === SoapMediaType.soap11) return '1.1';
  return soapRoute ? '1.1' : undefined;
}

/** The SOAP action a call names: SOAP 1.2's `action` content-type parameter, else SOAP 1.1's SOAPAction header (unquoted). */
export function soapActionOf(headers: IncomingHttpHeaders): string | undefined {
  const contentType = headers['content-type'];
  if (mediaTypeOf(contentType) === SoapMediaType.soap12) {
    const match = ACTION_PARAMETER.exec(contentType as string);
    if (match === null) return undefined;
    return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
  }
  const header = headers['soapaction'];
  if (typeof header !== 'string') return undefined;
  const value = header.trim();
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/**
 * Whether a call to a SOAP API spends the write budget: every SOAP call is a POST, so the method
 * says nothing; a POST whose action the API lists as a read is a read, any other POST a write.
 * Other methods keep their HTTP meaning (a GET of the WSDL is a read).
 */
export function isSoapWrite(method: string, headers: IncomingHttpHeaders, readActions: ReadonlySet<string> | undefined): boolean {
  if (method !== 'POST') return isWriteMethod(method);
  if (readActions === undefined || readActions.size === 0) return true;
  const action = soapActionOf(headers);
  return action === undefined || !readActions.has(action);
}
