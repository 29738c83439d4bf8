import type { X509Certificate, KeyObject } from 'node:crypto';

import type { DigestAlgorithm } from '../content-digest/content-digest.util';
import type { HeaderSource } from '../rfc9421/http-message.type';
import type { SignatureAlgorithm } from '../rfc9421/signature-algorithm.util';
import type { SignatureField } from './lgsp-signature.constant';

export interface LgspHttpRequest {
  readonly method: string;
  /**
   * The absolute URL the consumer addressed. Behind a load balancer the gateway builds it from
   * LGSP_PUBLIC_URL's origin and the path and query exactly as received, never from Host alone.
   */
  readonly url: string | URL;
  readonly headers: HeaderSource;
  /** The content exactly as received (before any decoding); absent or empty without a body. */
  readonly body?: Uint8Array;
}

export interface LgspHttpResponse {
  readonly status: number;
  readonly headers: HeaderSource;
  readonly body?: Uint8Array;
}

/** A signing certificate of the registry; its id is the RFC 9421 keyid. */
export interface RegisteredCertificate {
  /** The consumer system it is registered to (the token's `sub`). */
  readonly consumerId: string;
  readonly certificate: X509Certificate;
  readonly status: 'active' | 'revoked';
  /** The certificate's public key, for callers that keep it parsed between requests. */
  readonly publicKey?: KeyObject;
}

/** What the ledger keeps of a verified request signature: enough to show later who signed what. */
export interface SignatureEvidence {
  readonly label: string;
  /** The Signature-Input member verified: `sig1=("@method" ...);created=...;keyid="..."`. */
  readonly signatureInput: string;
  /** The signature bytes, base64. */
  readonly signature: string;
  readonly keyid: string;
  readonly alg: SignatureAlgorithm;
  /** SHA-256 fingerprint of the signing certificate, as Node prints it (`AB:CD:...`). */
  readonly certificateFingerprint: string;
  /** The Content-Digest values checked against the body, base64 per algorithm; empty without a body. */
  readonly digests: Readonly<Partial<Record<DigestAlgorithm, string>>>;
  /** `created` as signed, UNIX seconds. */
  readonly created: number;
  readonly expires?: number;
  readonly nonce?: string;
  /** The field that carried the signature; a response signature covers it under this name. */
  readonly field: SignatureField;
}
