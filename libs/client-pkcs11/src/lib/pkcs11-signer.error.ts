/** Why a PKCS#11 signer could not be opened or could not sign: the `code` of a Pkcs11SignerError. */
export enum Pkcs11SignerErrorCode {
  /** The optional package `pkcs11js` is not installed (or its native addon did not build). */
  BindingMissing = 'pkcs11_binding_missing',
  /** The PKCS#11 module could not be loaded or initialised. */
  ModuleUnavailable = 'pkcs11_module_unavailable',
  /** No token with this label, or no slot with this id, holds a token. */
  TokenNotFound = 'pkcs11_token_not_found',
  /** The token refused the PIN (wrong, locked, expired). */
  LoginFailed = 'pkcs11_login_failed',
  /** No private key with this label or id, or more than one. */
  KeyNotFound = 'pkcs11_key_not_found',
  /** The key found does not fit `alg` (an RSA key for ECDSA, an EC key on another curve than P-256). */
  KeyMismatch = 'pkcs11_key_mismatch',
  /** The token failed to sign, or the signer was closed. */
  SignFailed = 'pkcs11_sign_failed',
}

export class Pkcs11SignerError extends Error {
  override readonly name = 'Pkcs11SignerError';

  constructor(
    readonly code: Pkcs11SignerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
