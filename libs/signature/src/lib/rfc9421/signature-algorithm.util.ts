import { constants, createHmac, type KeyObject, sign, timingSafeEqual, verify } from 'node:crypto';

/** The algorithms of RFC 9421 §3.3 (the HTTP Signature Algorithms registry). */
export const SIGNATURE_ALGORITHMS = [
  'rsa-pss-sha512',
  'rsa-v1_5-sha256',
  'hmac-sha256',
  'ecdsa-p256-sha256',
  'ecdsa-p384-sha384',
  'ed25519',
] as const;

export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

export function isSignatureAlgorithm(name: string): name is SignatureAlgorithm {
  return (SIGNATURE_ALGORITHMS as readonly string[]).includes(name);
}

/** Shorter RSA keys are refused for signing and verifying alike. */
export const MIN_RSA_BITS = 2048;

const ECDSA_CURVES: Readonly<Record<string, { curve: string; hash: string; size: number }>> = {
  'ecdsa-p256-sha256': { curve: 'prime256v1', hash: 'sha256', size: 64 },
  'ecdsa-p384-sha384': { curve: 'secp384r1', hash: 'sha384', size: 96 },
};

/** Why `key` cannot be used with `alg`, or undefined when it can. */
export function keyMismatch(alg: SignatureAlgorithm, key: KeyObject): string | undefined {
  switch (alg) {
    case 'hmac-sha256':
      return key.type === 'secret' ? undefined : 'hmac-sha256 needs a shared secret';
    case 'rsa-v1_5-sha256':
    case 'rsa-pss-sha512': {
      const types = alg === 'rsa-pss-sha512' ? ['rsa', 'rsa-pss'] : ['rsa'];
      if (!types.includes(key.asymmetricKeyType ?? '')) return `${alg} needs an RSA key`;
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      return bits >= MIN_RSA_BITS ? undefined : `${alg} needs an RSA key of at least ${MIN_RSA_BITS} bits (this one has ${bits})`;
    }
    case 'ed25519':
      return key.asymmetricKeyType === 'ed25519' ? undefined : 'ed25519 needs an Ed25519 key';
    default: {
      const { curve } = ECDSA_CURVES[alg];
      return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === curve ? undefined : `${alg} needs an EC key on ${curve}`;
    }
  }
}

/**
 * Signs the signature base. RSA-PSS uses SHA-512 with MGF1-SHA-512 and a 64-byte salt; ECDSA gives
 * the fixed-size r||s form RFC 9421 §3.3.4 requires, not DER. Throws when the key does not fit.
 */
export function signBase(alg: SignatureAlgorithm, key: KeyObject, base: Buffer): Buffer {
  const mismatch = keyMismatch(alg, key);
  if (mismatch !== undefined) throw new TypeError(mismatch);
  switch (alg) {
    case 'hmac-sha256':
      return createHmac('sha256', key).update(base).digest();
    case 'rsa-v1_5-sha256':
      return sign('sha256', base, { key, padding: constants.RSA_PKCS1_PADDING });
    case 'rsa-pss-sha512':
      return sign('sha512', base, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 });
    case 'ed25519':
      return sign(null, base, key);
    default:
      return sign(ECDSA_CURVES[alg].hash, base, { key, dsaEncoding: 'ieee-p1363' });
  }
}

/**
 * Verifies a signature over the base; false for a wrong signature, a key that does not fit, or a
 * signature of the wrong size. RSA-PSS accepts any salt length: RFC 9421 signers use 64 bytes, some
 * libraries (http-message-signatures among them) the maximum, and the salt length does not weaken
 * the check.
 */
export function verifyBase(alg: SignatureAlgorithm, key: KeyObject, base: Buffer, signature: Buffer): boolean {
  if (keyMismatch(alg, key) !== undefined) return false;
  try {
    switch (alg) {
      case 'hmac-sha256': {
        const expected = createHmac('sha256', key).update(base).digest();
        return signature.length === expected.length && timingSafeEqual(signature, expected);
      }
      case 'rsa-v1_5-sha256':
        return verify('sha256', base, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'rsa-pss-sha512':
        return verify('sha512', base, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
      case 'ed25519':
        return signature.length === 64 && verify(null, base, key, signature);
      default: {
        const { hash, size } = ECDSA_CURVES[alg];
        return signature.length === size && verify(hash, base, { key, dsaEncoding: 'ieee-p1363' }, signature);
      }
    }
  } catch {
    // OpenSSL refuses some malformed signatures by throwing rather than answering false.
    return false;
  }
}
