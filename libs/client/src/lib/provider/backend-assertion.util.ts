import { BACKEND_JWT_ALG, BACKEND_JWT_TYP, ENVIRONMENTS, type Environment } from '@lgsp/contracts';
import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, jwtVerify } from 'jose';

import { BackendAssertionError } from '../lgsp-client.error';
import type { JsonWebKeySet } from '../lgsp-client.type';

export interface VerifyBackendAssertionOptions {
  /** {LGSP_PUBLIC_URL}/.well-known/lgsp-backend-jwks; fetched by jose and cached (one set per URL). */
  readonly jwksUrl?: string | URL;
  /** Or the JWK Set itself. */
  readonly jwks?: JsonWebKeySet;
  /** The platform's public URL (LGSP_PUBLIC_URL), as the gateway writes it in `iss`. */
  readonly issuer: string;
  /** This service's origin as registered upstream: scheme://host:port. */
  readonly audience: string;
  /** Seconds of clock difference allowed on iat and exp. Default 5. */
  readonly clockToleranceSeconds?: number;
}

/** Who calls, as the platform asserts it. */
export interface BackendCaller {
  /** The consumer system id (`sub`), e.g. tu-ha-noi.qlcb. */
  readonly consumer: string;
  /** The Consumer Key it used (`client_id`). */
  readonly clientId: string;
  readonly environment: Environment;
  /** The JWT's id: names the assertion, not the call (one assertion serves many calls). */
  readonly jwtId: string | undefined;
  readonly expiresAt: Date;
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

const remoteKeySets = new Map<string, KeySet>();

/**
 * The provider side: verifies the gateway's X-LGSP-Assertion (docs/providers.md) — ES256, typ
 * lgsp-backend+jwt, `iss`, `aud`, expiry — and returns the consumer it names. Throws
 * BackendAssertionError when the header is missing or the JWT does not verify: refuse the call.
 */
export async function verifyBackendAssertion(headerValue: string | readonly string[] | undefined, options: VerifyBackendAssertionOptions): Promise<BackendCaller> {
  if (typeof headerValue !== 'string' || headerValue === '') {
    throw new BackendAssertionError('missing', Array.isArray(headerValue) ? 'The request carries more than one X-LGSP-Assertion' : 'The request carries no X-LGSP-Assertion');
  }
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(headerValue, keySetOf(options), {
      issuer: options.issuer,
      audience: options.audience,
      typ: BACKEND_JWT_TYP,
      algorithms: [BACKEND_JWT_ALG],
      requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat'],
      clockTolerance: options.clockToleranceSeconds ?? 5,
    }));
  } catch (error) {
    const reason = error instanceof errors.JOSEError ? error.code : 'invalid';
    throw new BackendAssertionError(reason, `The X-LGSP-Assertion does not verify: ${(error as Error).message}`, { cause: error });
  }
  const { sub, client_id: clientId, env, jti, exp } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || typeof clientId !== 'string' || !(ENVIRONMENTS as readonly unknown[]).includes(env) || typeof exp !== 'number') {
    throw new BackendAssertionError('claims', 'The X-LGSP-Assertion lacks sub, client_id or env');
  }
  return { consumer: sub, clientId, environment: env as Environment, jwtId: typeof jti === 'string' ? jti : undefined, expiresAt: new Date(exp * 1000) };
}

function keySetOf(options: VerifyBackendAssertionOptions): KeySet | ReturnType<typeof createLocalJWKSet> {
  if (options.jwks !== undefined) return createLocalJWKSet(options.jwks as unknown as JSONWebKeySet);
  if (options.jwksUrl === undefined) throw new TypeError('verifyBackendAssertion needs jwksUrl or jwks');
  const url = String(options.jwksUrl);
  let keySet = remoteKeySets.get(url);
  if (keySet === undefined) {
    // jose caches the set (and refetches on an unknown kid, at most every 30 s): one per URL, kept.
    keySet = createRemoteJWKSet(new URL(url), { cacheMaxAge: 5 * 60_000 });
    remoteKeySets.set(url, keySet);
  }
  return keySet;
}
