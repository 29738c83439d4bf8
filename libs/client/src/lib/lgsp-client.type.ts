import type { KeyObject } from 'node:crypto';

import type { SignatureAlgorithm } from '@lgsp/signature';

/** Signs with a private key held in memory (a PKCS#8 / SEC1 / PKCS#1 PEM, or a KeyObject). */
export interface LgspKeySigner {
  /** The id of the certificate registered for the consumer system (its `certificates[].id`). */
  readonly keyid: string;
  readonly key: KeyObject | string | Buffer;
  /** Default: from the key (RSA: rsa-v1_5-sha256, EC P-256: ecdsa-p256-sha256, Ed25519: ed25519). */
  readonly alg?: SignatureAlgorithm;
}

/**
 * Signs elsewhere: a USB token, an HSM, a KMS. `sign` receives the signature base (ASCII bytes) and
 * returns the raw signature — for ECDSA the r‖s concatenation, not DER (docs/signatures.md §4).
 */
export interface LgspExternalSigner {
  readonly keyid: string;
  readonly alg: SignatureAlgorithm;
  sign(base: Buffer): Promise<Buffer>;
}

/** A JSON Web Key Set (RFC 7517) as served by the platform. */
export interface JsonWebKeySet {
  readonly keys: readonly (Record<string, unknown> & { readonly kid?: string })[];
}

export interface LgspClientOptions {
  /** The platform's public URL (LGSP_PUBLIC_URL), e.g. https://lgsp.example.gov.vn. */
  readonly baseUrl: string | URL;
  /** Default: {baseUrl}/oauth2/token. */
  readonly tokenUrl?: string | URL;
  /** The Consumer Key. */
  readonly clientId: string;
  /** The Secret Key. */
  readonly clientSecret: string;
  /** Ask for fewer API versions than subscribed (`directory:v1 ...`); default: all. */
  readonly scope?: string;
  /** Signs requests (X-Signature) with the key of the consumer system's registered certificate. */
  readonly signer?: LgspKeySigner | LgspExternalSigner;
  /**
   * Which requests are signed when there is a signer: `always` (the default: reads of data classified
   * Mật need a signature too) or `writes` (POST, PUT, PATCH, DELETE). A request may override it.
   */
  readonly sign?: 'always' | 'writes';
  /**
   * The platform's response-signing keys: the URL of a JWK Set (default
   * {baseUrl}/.well-known/lgsp-signing-keys), or the JWK Set itself. Fetched once, then again only
   * when a response names a key it does not hold.
   */
  readonly platformKeys?: string | URL | JsonWebKeySet;
  /** Verify the platform's signature on signed responses; a response that fails throws. Default false. */
  readonly verifyResponses?: boolean;
  /** The longest a 429 is waited out, all retries of one call together. Default 60 s; 0 never retries. */
  readonly maxRetryAfterSeconds?: number;
  /** A token is renewed this many seconds before its expires_in runs out. Default 60. */
  readonly tokenRenewBeforeSeconds?: number;
  /** The fetch to use (default the global one, undici): for a proxy agent or mTLS dispatcher. */
  readonly fetch?: typeof globalThis.fetch;
}

export interface LgspRequestOptions {
  /** Appended to the path's own query string. */
  readonly query?: Readonly<Record<string, string | number | boolean | readonly (string | number | boolean)[] | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Bytes and strings are sent as they are; anything else as JSON (Content-Type application/json unless given). */
  readonly body?: Buffer | Uint8Array | string | object;
  /** Sign this request or not, whatever the client's `sign` says (needs a signer to be true). */
  readonly sign?: boolean;
  readonly signal?: AbortSignal;
}

export interface LgspResponse {
  readonly status: number;
  /** Lower-case names; repeated fields joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The X-Request-ID sent with the request that got this answer. */
  readonly requestId: string;
  /** The platform's id of the transaction (X-LGSP-Transaction-ID), to quote to the operator. */
  readonly transactionId: string | undefined;
  /** With verifyResponses: true when the response was signed and verified, false when it was not signed. */
  readonly signatureVerified?: boolean;
  json<T = unknown>(): T;
  text(): string;
}

export interface LgspClient {
  request(method: string, path: string, options?: LgspRequestOptions): Promise<LgspResponse>;
}
