import type { KeyObject } from 'node:crypto';
import { X509Certificate } from 'node:crypto';

/** Client-assertion algorithms accepted, each only with a certificate key of its type. */
export const ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

export interface CertificateKey {
  readonly publicKey: KeyObject;
  readonly algorithms: readonly string[];
}

/**
 * The public key of a registered certificate and the JWS algorithms it may verify: RSA (2048 bits
 * or more) RS256 or PS256, EC P-256 ES256, Ed25519 EdDSA. Anything else verifies nothing (an
 * RSA-PSS-only key included: WebCrypto, under jose, imports no such SPKI; PS256 with an RSA key works).
 */
export function certificateKey(pem: string): CertificateKey {
  const publicKey = new X509Certificate(pem).publicKey;
  const details = publicKey.asymmetricKeyDetails ?? {};
  switch (publicKey.asymmetricKeyType) {
    case 'rsa':
      return { publicKey, algorithms: (details.modulusLength ?? 0) >= 2048 ? ['RS256', 'PS256'] : [] };
    case 'ec':
      return { publicKey, algorithms: details.namedCurve === 'prime256v1' ? ['ES256'] : [] };
    case 'ed25519':
      // 'Ed25519' is the fully specified name of RFC 9864 for the same signatures.
      return { publicKey, algorithms: ['EdDSA', 'Ed25519'] };
    default:
      return { publicKey, algorithms: [] };
  }
}
