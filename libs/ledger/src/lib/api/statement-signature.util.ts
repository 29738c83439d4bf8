import type { KeyObject } from 'node:crypto';

import { FlattenedSign, type FlattenedVerifyGetKey, flattenedVerify, importJWK, type JSONWebKeySet, type JWK } from 'jose';

/** The platform key statements and reconciliations are signed with (the lead passes the platform signing key). */
export interface StatementSigner {
  readonly keyid: string;
  readonly alg: 'ES256' | 'RS256';
  readonly privateKey: KeyObject;
}

/** The response header carrying the signature of a statement or a reconciliation. */
export const STATEMENT_SIGNATURE_HEADER = 'x-lgsp-statement-signature';
const ALGORITHMS = ['ES256', 'RS256'];
const ALGORITHM_OF_KEY_TYPE: Readonly<Record<string, string>> = { EC: 'ES256', RSA: 'RS256' };

/** What the signature says the body is about, as protected header parameters. */
export interface StatementSignatureClaims {
  /** `consumer:<id>` or `provider:<id>`. */
  readonly party: string;
  /** ISO-8601, inclusive. */
  readonly from: string;
  /** ISO-8601, exclusive. */
  readonly to: string;
}

export interface VerifiedStatement extends StatementSignatureClaims {
  readonly kid: string;
  readonly alg: string;
}

/**
 * A compact JWS with a detached payload (RFC 7515 Appendix F): `header..signature`, the payload
 * being exactly the response body's bytes (base64url-encoded for the signing input, as usual).
 */
export async function signStatement(body: Buffer, signer: StatementSigner, claims: StatementSignatureClaims): Promise<string> {
  const jws = await new FlattenedSign(body)
    .setProtectedHeader({ alg: signer.alg, kid: signer.keyid, lgsp_party: claims.party, lgsp_from: claims.from, lgsp_to: claims.to })
    .sign(signer.privateKey);
  return `${jws.protected}..${jws.signature}`;
}

/**
 * Verifies a statement's body against its X-LGSP-Statement-Signature with the platform's published
 * keys (/.well-known/lgsp-signing-keys). Throws when the signature is malformed, its key unknown, or
 * the body is not exactly the one signed.
 */
export async function verifyStatement(body: Buffer, jws: string, jwks: JSONWebKeySet): Promise<VerifiedStatement> {
  const parts = jws.split('.');
  if (parts.length !== 3 || parts[1] !== '') throw new Error('The statement signature is not a compact JWS with a detached payload');
  const getKey: FlattenedVerifyGetKey = async (header) => {
    const jwk = jwks.keys.find((candidate) => candidate.kid === header.kid);
    if (jwk === undefined) throw new Error(`No platform key with kid ${String(header.kid)}`);
    if (jwk.kty === undefined || ALGORITHM_OF_KEY_TYPE[jwk.kty] !== header.alg) throw new Error(`alg ${String(header.alg)} does not fit the key`);
    // The gateway publishes the key under its RFC 9421 algorithm name (ecdsa-p256-sha256); the JWS names its JOSE one.
    const { alg: _published, use: _use, key_ops: _ops, ...material } = jwk as JWK;
    return importJWK(material, header.alg);
  };
  const { protectedHeader } = await flattenedVerify({ protected: parts[0], payload: body.toString('base64url'), signature: parts[2] }, getKey, {
    algorithms: ALGORITHMS,
  });
  const { lgsp_party: party, lgsp_from: from, lgsp_to: to, kid, alg } = protectedHeader as Record<string, unknown>;
  if (typeof party !== 'string' || typeof from !== 'string' || typeof to !== 'string' || typeof kid !== 'string' || typeof alg !== 'string') {
    throw new Error('The statement signature lacks kid, lgsp_party, lgsp_from or lgsp_to');
  }
  return { party, from, to, kid, alg };
}
