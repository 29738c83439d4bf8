import { createHash, generateKeyPairSync } from 'node:crypto';

export interface GeneratedSigningKey {
  /** The RFC 7638 JWK thumbprint of the public key. */
  readonly kid: string;
  /** kty, crv, x, y only. */
  readonly publicJwk: { readonly kty: 'EC'; readonly crv: 'P-256'; readonly x: string; readonly y: string };
  /** PKCS#8 DER of the private key: to be encrypted at once, never stored or logged as is. */
  readonly pkcs8: Buffer;
}

/** A fresh P-256 key pair for ES256. */
export function generateSigningKey(): GeneratedSigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new Error('Unexpected EC public key export');
  const publicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } as const;
  return { kid: jwkThumbprint(publicJwk), publicJwk, pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }) };
}

/** RFC 7638: SHA-256 of the required members in lexicographic order, without whitespace. */
export function jwkThumbprint(jwk: { readonly crv: string; readonly kty: string; readonly x: string; readonly y: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}
