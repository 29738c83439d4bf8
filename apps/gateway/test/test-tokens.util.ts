import { randomUUID } from 'node:crypto';

import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP } from '@lgsp/contracts';
import type { LgspDb } from '@lgsp/data';
import { iamSigningKeys } from '@lgsp/data';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey } from 'jose';

export interface TestSigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
}

/** A signing key as IAM keeps it, public half in iam_signing_keys (the private half is never read by a gateway). */
export async function insertSigningKey(db: LgspDb, kid: string = `test-${randomUUID()}`): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
  const hour = 3_600_000;
  await db.insert(iamSigningKeys).values({
    kid,
    publicJwk: { ...(await exportJWK(publicKey)) },
    privateKeyCiphertext: 'not-read-by-the-gateway',
    activatesAt: new Date(Date.now() - hour),
    retiresAt: new Date(Date.now() + 24 * hour),
    expiresAt: new Date(Date.now() + 25 * hour),
  });
  return { kid, privateKey };
}

/** An LGSP access token as IAM mints it (RFC 9068, ES256, kid), iss and aud = LGSP_PUBLIC_URL. */
export function mintAccessToken(publicUrl: string, key: TestSigningKey, claims: Record<string, unknown> = {}): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'tu-ha-noi.qlcb', client_id: 'demo-consumer', scope: 'directory:v1', env: 'sandbox', jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: key.kid, typ: ACCESS_TOKEN_TYP })
    .setIssuer(publicUrl)
    .setAudience(publicUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(key.privateKey);
}

export function jtiOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { jti: string }).jti;
}
