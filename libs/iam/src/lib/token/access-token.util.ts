import { sign } from 'node:crypto';

import type { AccessTokenClaims } from '@lgsp/contracts';

import type { LoadedSigningKey } from '../keys/signing-key.service';

/**
 * An RFC 9068 access token: JWS compact serialisation, ES256 over P-256 (the signature as r || s,
 * as JWS requires), with the key's precomputed header {alg, kid, typ: at+jwt}. Synchronous and
 * free of key imports: the key was imported when it was loaded.
 */
export function signAccessToken(claims: AccessTokenClaims, key: LoadedSigningKey): string {
  const signingInput = `${key.encodedHeader}.${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(signingInput, 'utf8'), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}
