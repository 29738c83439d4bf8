import { randomUUID } from 'node:crypto';

import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP } from '@lgsp/contracts';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';

/** A signing key as IAM would hold it: the private half signs, the public JWK is published. */
export interface TestSigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** As loadPublishedJwks publishes it: kid, alg and use included. */
  readonly publicJwk: JWK;
}

export async function testSigningKey(kid: string = `test-${randomUUID()}`): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
  return { kid, privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALG, use: 'sig' } };
}

export interface MintOptions {
  /** Seconds since the epoch; defaults to the clock's. */
  readonly iat?: number;
  readonly ttlSeconds?: number;
  /** Claims to add or override; `undefined` leaves a claim out. */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly header?: Readonly<Record<string, unknown>>;
}

/** Mints LGSP access tokens as IAM does (RFC 9068, ES256, kid), for the issuer and audience given. */
export class TestTokenMinter {
  constructor(
    readonly issuer: string,
    private readonly clock: () => number = Date.now,
  ) {}

  claims(options: MintOptions = {}): Record<string, unknown> {
    const iat = options.iat ?? Math.floor(this.clock() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      sub: 'tu-ha-noi.qlcb',
      aud: this.issuer,
      client_id: 'demo-consumer',
      scope: 'directory:v1',
      env: 'sandbox',
      iat,
      exp: iat + (options.ttlSeconds ?? 3600),
      jti: randomUUID(),
      ...options.claims,
    };
    for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name];
    return claims;
  }

  mint(key: Pick<TestSigningKey, 'kid' | 'privateKey'>, options: MintOptions = {}): Promise<string> {
    return new SignJWT(this.claims(options))
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: key.kid, typ: ACCESS_TOKEN_TYP, ...options.header } as { alg: string })
      .sign(key.privateKey);
  }
}

export function base64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export function jtiOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { jti: string }).jti;
}
