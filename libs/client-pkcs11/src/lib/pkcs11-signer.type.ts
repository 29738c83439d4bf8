import type { LgspExternalSigner } from '@lgsp/client';

/** The algorithms a PKCS#11 token signs for LGSP (docs/signatures.md §4). */
export type Pkcs11SignatureAlgorithm = 'ecdsa-p256-sha256' | 'rsa-v1_5-sha256' | 'rsa-pss-sha512';

/** Which token: a slot id (as `pkcs11-tool -L` or `softhsm2-util --show-slots` print it) or the token's label. */
export type Pkcs11TokenSelector = { readonly slot: number; readonly tokenLabel?: never } | { readonly tokenLabel: string; readonly slot?: never };

/** Which private key on the token: its CKA_LABEL, or its CKA_ID (hex, as the token tools print it, or bytes). */
export type Pkcs11KeySelector = { readonly keyLabel: string; readonly keyId?: never } | { readonly keyId: string | Buffer; readonly keyLabel?: never };

export type Pkcs11SignerOptions = Pkcs11TokenSelector &
  Pkcs11KeySelector & {
    /** The PKCS#11 module of the token's vendor, e.g. /usr/lib/softhsm/libsofthsm2.so. */
    readonly modulePath: string;
    /** The user PIN. */
    readonly pin: string;
    /** The RFC 9421 keyid: the id of the certificate registered for the consumer system. */
    readonly keyid: string;
    readonly alg: Pkcs11SignatureAlgorithm;
  };

/** An LGSP external signer whose key never leaves the token; `close()` ends its session (and unloads the module after the last). */
export interface Pkcs11Signer extends LgspExternalSigner {
  readonly alg: Pkcs11SignatureAlgorithm;
  close(): void;
}
