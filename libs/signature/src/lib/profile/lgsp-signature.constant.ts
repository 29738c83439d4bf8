import { Header } from '@lgsp/contracts';

import type { STANDARD_SIGNATURE_HEADERS } from '../rfc9421/verify-message.util';

/** The fields that carry LGSP signatures; the standard Signature / Signature-Input are accepted too. */
export const LGSP_SIGNATURE_HEADERS = { signatureInput: Header.signatureInput, signature: Header.signature } as const;

export type SignatureField = typeof LGSP_SIGNATURE_HEADERS.signature | typeof STANDARD_SIGNATURE_HEADERS.signature;

/** Components every signed request covers; `content-digest` is added whenever there is a body. */
export const REQUIRED_REQUEST_COMPONENTS = ['@method', '@target-uri', Header.requestId] as const;

/** Parameters every signed request carries. */
export const REQUIRED_REQUEST_PARAMS = ['created', 'keyid'] as const;

/** How far `created` may be from the gateway's clock, either way. */
export const DEFAULT_MAX_SKEW_SECONDS = 300;

/** The label a consumer's request signature gets from signLgspRequest. */
export const REQUEST_LABEL = 'sig1';

/** The label of the platform's response signature. */
export const RESPONSE_LABEL = 'lgsp';
