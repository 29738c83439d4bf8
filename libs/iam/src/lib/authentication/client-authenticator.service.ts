import type { AdminClientRecord, ConsumerClientRecord, LgspDb } from '@lgsp/data';
import { findAdminClient, findConsumerClient, verifySecret } from '@lgsp/data';
import { decodeJwt, decodeProtectedHeader } from 'jose';

import type { BruteForceService } from '../brute-force/brute-force.service';
import type { OAuthRequest } from '../oauth/oauth-request.util';
import type { OAuthFailureReason } from '../oauth/oauth.error';
import { OAuthError } from '../oauth/oauth.error';
import type { AuthenticatedClient } from './authenticated-client.type';
import type { ClientAssertionVerifier } from './client-assertion-verifier.service';
import type { PresentedCredentials } from './presented-credentials.util';
import { presentedCredentials } from './presented-credentials.util';

/** Compared against when the client id is unknown, so that an unknown id costs what a wrong secret does. */
const DUMMY_HASH = `hmac-sha256:${'A'.repeat(43)}`;
const FAILED = 'Client authentication failed';
/** Client ids are short; a longer one is not looked up (and counts against the IP only). */
const MAX_CLIENT_ID_LENGTH = 256;

type Verified = { readonly client: ConsumerClientRecord | AdminClientRecord; readonly kind: 'consumer' | 'admin' } | { readonly failure: OAuthFailureReason };

export interface ClientAuthenticatorOptions {
  readonly db: LgspDb;
  readonly pepper: string;
  readonly assertions: ClientAssertionVerifier;
  readonly bruteForce: BruteForceService;
  readonly sleep: (ms: number) => Promise<void>;
  readonly clock: () => Date;
}

/**
 * Client authentication of the token, revocation and introspection endpoints: one method per
 * request (client_secret_basic, client_secret_post, private_key_jwt), brute-force protection around
 * it, and the consumer system's status after it. Every failure is the same invalid_client to the
 * client; the reason goes to the log line.
 */
export class ClientAuthenticator {
  constructor(private readonly options: ClientAuthenticatorOptions) {}

  async authenticate(call: OAuthRequest): Promise<AuthenticatedClient> {
    const presented = presentedCredentials(call.params, call.authorization);
    if (presented.method === 'none') {
      throw OAuthError.invalidClient('Client authentication is required', 'none', 'no-credentials');
    }
    let assertionKid: string | undefined;
    let clientId = presented.clientId;
    if (presented.method === 'private_key_jwt') {
      const unverified = this.peekAssertion(presented.assertion);
      assertionKid = unverified?.kid;
      if (clientId === undefined) clientId = unverified?.sub;
      else if (unverified !== undefined && unverified.sub !== clientId) clientId = undefined;
    }
    if (clientId !== undefined && clientId.length > MAX_CLIENT_ID_LENGTH) clientId = undefined;
    const attempt = { clientId, ip: call.ip };

    const admission = await this.options.bruteForce.admit(attempt);
    if (admission.lockedOut) {
      throw OAuthError.invalidClient('Too many failed authentications: try again later', presented.method, 'locked-out');
    }
    if (admission.delayMs > 0) await this.options.sleep(admission.delayMs);

    const verified = clientId === undefined ? ({ failure: 'malformed-credentials' } as const) : await this.verify(presented, clientId, assertionKid);
    if ('failure' in verified) {
      const outcome = await this.options.bruteForce.failed(attempt);
      if (outcome.event !== undefined) {
        call.exchange.securityEvent = outcome.event;
        // The SOC needs to know whom the failures were aimed at: a registered client id. An unknown
        // one is whatever was typed (a secret pasted in the wrong field, even) and stays out.
        if (outcome.clientIdReached && verified.failure !== 'unknown-client') call.exchange.clientId = clientId;
      }
      throw OAuthError.invalidClient(FAILED, presented.method, verified.failure);
    }
    await this.options.bruteForce.succeeded(verified.client.clientId);

    if (verified.kind === 'admin') {
      const admin = verified.client as AdminClientRecord;
      call.exchange.clientId = admin.clientId;
      return { kind: 'admin', clientId: admin.clientId, roles: admin.roles, method: presented.method };
    }
    const consumer = verified.client as ConsumerClientRecord;
    if (consumer.consumerStatus !== 'active') {
      // Proven, but suspended or terminated: not a guess, so not counted as a failure.
      throw OAuthError.invalidClient('The consumer system is suspended or terminated', presented.method, 'consumer-inactive');
    }
    call.exchange.clientId = consumer.clientId;
    call.exchange.consumerId = consumer.consumerId;
    call.exchange.environment = consumer.environment;
    return {
      kind: 'consumer',
      clientId: consumer.clientId,
      consumerId: consumer.consumerId,
      environment: consumer.environment,
      tokenTtlSeconds: consumer.tokenTtlSeconds,
      method: presented.method,
    };
  }

  private async verify(presented: PresentedCredentials, clientId: string, assertionKid: string | undefined): Promise<Verified> {
    const { db, pepper } = this.options;
    if (presented.method === 'private_key_jwt') {
      const consumer = await findConsumerClient(db, clientId);
      if (consumer === undefined) return { failure: (await findAdminClient(db, clientId)) === undefined ? 'unknown-client' : 'method-not-allowed' };
      if (consumer.status !== 'active') return { failure: 'credential-revoked' };
      const failure = await this.options.assertions.verify(presented.assertion, assertionKid, consumer);
      return failure === undefined ? { client: consumer, kind: 'consumer' } : { failure };
    }
    // A Basic header that did not parse carries no secret.
    if (!('secret' in presented)) return { failure: 'malformed-credentials' };
    const secret = presented.secret;

    const consumer = await findConsumerClient(db, clientId);
    if (consumer !== undefined) {
      const now = this.options.clock();
      const current = verifySecret(secret, consumer.secretHash, pepper);
      const previous =
        !current && consumer.previousSecretHash !== null && consumer.previousSecretExpiresAt !== null && consumer.previousSecretExpiresAt > now
          ? verifySecret(secret, consumer.previousSecretHash, pepper)
          : false;
      if (!current && !previous) return { failure: 'secret-mismatch' };
      return consumer.status === 'active' ? { client: consumer, kind: 'consumer' } : { failure: 'credential-revoked' };
    }
    const admin = await findAdminClient(db, clientId);
    if (admin === undefined) {
      verifySecret(secret, DUMMY_HASH, pepper);
      return { failure: 'unknown-client' };
    }
    if (!verifySecret(secret, admin.secretHash, pepper)) return { failure: 'secret-mismatch' };
    return admin.status === 'active' ? { client: admin, kind: 'admin' } : { failure: 'credential-revoked' };
  }

  /** The assertion's kid and subject, read without verification: only to find whose key verifies it. */
  private peekAssertion(assertion: string): { kid?: string; sub?: string } | undefined {
    try {
      const { kid } = decodeProtectedHeader(assertion);
      const { sub } = decodeJwt(assertion);
      return { kid: typeof kid === 'string' ? kid : undefined, sub: typeof sub === 'string' ? sub : undefined };
    } catch {
      return undefined;
    }
  }
}
