import type { ConsumerClientRecord, LgspDb } from '@lgsp/data';
import { findCertificate } from '@lgsp/data';
import { jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';

import { ASSERTION_CLOCK_TOLERANCE_SECONDS, MAX_ASSERTION_LIFETIME_SECONDS } from '../iam.constant';
import type { OAuthFailureReason } from '../oauth/oauth.error';
import type { AssertionReplayStore } from './assertion-replay.repository';
import type { CertificateKey } from './certificate-key.util';
import { certificateKey } from './certificate-key.util';

export interface ClientAssertionVerifierOptions {
  readonly db: LgspDb;
  /** The issuer and the token endpoint URL: the audiences an assertion may name. */
  readonly audiences: readonly string[];
  readonly replays: AssertionReplayStore;
  readonly clock: () => Date;
}

/**
 * RFC 7523 client assertions (private_key_jwt), signed with the key of an X.509 certificate
 * registered for the credential's consumer system: header kid = the certificate id, the
 * certificate active and within its validity; iss = sub = client_id; aud the issuer or the token
 * endpoint; exp at most five minutes ahead; jti used once. Certificate keys are imported once per
 * certificate (id and fingerprint), not per request.
 */
export class ClientAssertionVerifier {
  private readonly keys = new LRUCache<string, CertificateKey>({ max: 1000 });

  constructor(private readonly options: ClientAssertionVerifierOptions) {}

  /** Undefined when the assertion authenticates the credential; the reason otherwise. */
  async verify(assertion: string, kid: string | undefined, credential: ConsumerClientRecord): Promise<OAuthFailureReason | undefined> {
    if (kid === undefined) return 'assertion-invalid';
    const now = this.options.clock();
    const certificate = await findCertificate(this.options.db, kid);
    if (certificate === undefined || certificate.consumerId !== credential.consumerId) return 'certificate-unknown';
    if (certificate.status !== 'active' || now < certificate.notBefore || now > certificate.notAfter) return 'certificate-inactive';

    const cacheKey = `${certificate.id}\n${certificate.fingerprintSha256}`;
    let key = this.keys.get(cacheKey);
    if (key === undefined) {
      key = certificateKey(certificate.pem);
      this.keys.set(cacheKey, key);
    }
    if (key.algorithms.length === 0) return 'certificate-unknown';

    let claims: { exp?: number; jti?: string };
    try {
      ({ payload: claims } = await jwtVerify(assertion, key.publicKey, {
        algorithms: [...key.algorithms],
        issuer: credential.clientId,
        subject: credential.clientId,
        audience: [...this.options.audiences],
        requiredClaims: ['exp', 'jti'],
        currentDate: now,
        clockTolerance: ASSERTION_CLOCK_TOLERANCE_SECONDS,
      }));
    } catch {
      return 'assertion-invalid';
    }
    const exp = claims.exp as number;
    const nowSeconds = now.getTime() / 1000;
    if (exp > nowSeconds + MAX_ASSERTION_LIFETIME_SECONDS + ASSERTION_CLOCK_TOLERANCE_SECONDS) return 'assertion-invalid';
    if (typeof claims.jti !== 'string' || claims.jti === '' || claims.jti.length > 256) return 'assertion-invalid';
    const fresh = await this.options.replays.claim(`${credential.clientId}\n${claims.jti}`, (exp + ASSERTION_CLOCK_TOLERANCE_SECONDS) * 1000, now.getTime());
    return fresh ? undefined : 'assertion-replayed';
  }
}
