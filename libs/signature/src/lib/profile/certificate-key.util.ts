import type { KeyObject } from 'node:crypto';

import type { SignatureAlgorithm } from '../rfc9421/signature-algorithm.util';

/**
 * The algorithms an asymmetric key may sign with under the LGSP profile, the default first (used
 * when Signature-Input carries no `alg`). RSA defaults to PKCS#1 v1.5, what the agencies' USB
 * tokens sign with; RSA-PSS is accepted when `alg` says so. Shared secrets are not accepted.
 */
export function algorithmsForKey(key: KeyObject): readonly SignatureAlgorithm[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['rsa-v1_5-sha256', 'rsa-pss-sha512'];
    case 'rsa-pss':
      return ['rsa-pss-sha512'];
    case 'ed25519':
      return ['ed25519'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return ['ecdsa-p256-sha256'];
      if (curve === 'secp384r1') return ['ecdsa-p384-sha384'];
      return [];
    }
    default:
      return [];
  }
}

/** The algorithm for `key` given the `alg` a signature names (or none); undefined when they do not fit. */
export function algorithmForKey(key: KeyObject, alg: string | undefined): SignatureAlgorithm | undefined {
  const algorithms = algorithmsForKey(key);
  return alg === undefined ? algorithms[0] : algorithms.find((candidate) => candidate === alg);
}
