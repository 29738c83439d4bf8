import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP, LgspError } from '@lgsp/contracts';
import { errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import { LRUCache } from 'lru-cache';

import type { GatewayContext } from '../../chain/gateway-context.type';
import type { GatewayPolicyHandler, PolicyResult } from '../../chain/gateway-policy.type';
import type { TokenVerification } from '../../tokens/token-verification.type';
import { REQUIRED_CLAIMS, consumerClaimsOf } from './access-token-claims.util';
import type { ConsumerTokenClaims } from './access-token-claims.util';
import { bearerTokenOf } from './bearer-token.util';
import { TokenRefusal, claimRefusal } from './token-refusal.constant';

export interface AuthenticatePolicyConfig {
  clockToleranceSeconds: number;
  claimsCacheMaxEntries: number;
  unknownKidRefetchIntervalMs: number;
  maxTokenLength: number;
}

interface VerifiedToken {
  readonly claims: ConsumerTokenClaims;
  /** Date.now() from which the token is expired (exp plus the tolerance), in milliseconds. */
  readonly validUntilMs: number;
}

/** Which refusal a failed jose verification becomes. */
export function refusalOfVerificationError(error: unknown): LgspError {
  if (error instanceof LgspError) return error;
  switch ((error as { code?: unknown }).code) {
    case errors.JWTExpired.code:
      return TokenRefusal.expired;
    case errors.JWTClaimValidationFailed.code: {
      const { claim, reason } = error as errors.JWTClaimValidationFailed;
      if (claim === 'iss') return TokenRefusal.issuer;
      if (claim === 'aud') return TokenRefusal.audience;
      if (claim === 'typ') return TokenRefusal.typ;
      if ((claim === 'nbf' || claim === 'iat') && reason === 'check_failed') return TokenRefusal.notYetValid;
      return claimRefusal(claim);
    }
    case errors.JWSSignatureVerificationFailed.code:
      return TokenRefusal.signature;
    case errors.JOSEAlgNotAllowed.code:
      return TokenRefusal.algorithm;
    case errors.JWKSNoMatchingKey.code:
      return TokenRefusal.unknownKey;
    case errors.JWKSMultipleMatchingKeys.code:
      return TokenRefusal.ambiguousKey;
    default:
      return TokenRefusal.malformed;
  }
}

/**
 * Phase 2's handler: the bearer token, verified against the local key set, its claims cached until
 * the token expires. A cache hit is synchronous and allocates nothing; it still checks expiry
 * against the clock and the revocation set, since either may have changed since verification.
 */
export class AccessTokenVerifier implements GatewayPolicyHandler {
  // Keyed on the whole token string, never on its jti or a decoded field: the string is what was
  // verified, so only byte-identical input can hit. A forged token reusing a cached jti (or kid,
  // or sub) misses and is verified in full. V8 hashes the string once per lookup; no digest needed.
  private readonly cache: LRUCache<string, VerifiedToken>;
  // Concurrent first calls with one new token share a single verification.
  private readonly inFlight = new Map<string, Promise<VerifiedToken | LgspError>>();
  private readonly options: JWTVerifyOptions;
  private lastRefetchAt = Number.NEGATIVE_INFINITY;
  private refetching?: Promise<void>;
  private verificationCount = 0;

  constructor(
    private readonly config: AuthenticatePolicyConfig,
    private readonly tokens: TokenVerification,
    private readonly clock: () => number = Date.now,
  ) {
    // lru-cache reads the same clock, so entries age with the tests' clock as with the real one.
    this.cache = new LRUCache<string, VerifiedToken>({ max: config.claimsCacheMaxEntries, perf: { now: clock }, ttlResolution: 0 });
    this.options = {
      issuer: tokens.issuer,
      audience: tokens.audience,
      algorithms: [ACCESS_TOKEN_ALG],
      typ: ACCESS_TOKEN_TYP,
      requiredClaims: [...REQUIRED_CLAIMS],
      clockTolerance: config.clockToleranceSeconds,
    };
  }

  /** Signature verifications done so far (cache misses): what the claims cache saves. */
  get verifications(): number {
    return this.verificationCount;
  }

  handle(context: GatewayContext): PolicyResult | Promise<PolicyResult> {
    const token = bearerTokenOf(context.request.headers.authorization);
    if (typeof token !== 'string') return token;
    if (token.length > this.config.maxTokenLength) return TokenRefusal.tooLong;
    const cached = this.cache.get(token);
    if (cached !== undefined) return this.admit(context, cached);
    return this.verifyAndAdmit(context, token);
  }

  private admit(context: GatewayContext, verified: VerifiedToken): PolicyResult {
    if (this.clock() >= verified.validUntilMs) return TokenRefusal.expired;
    const claims = verified.claims;
    if (this.tokens.revocations.isRevoked(claims.jti)) return TokenRefusal.revoked;
    context.token = claims;
    context.environment = claims.env;
    context.consumerId = claims.sub;
    context.clientId = claims.client_id;
    return undefined;
  }

  private async verifyAndAdmit(context: GatewayContext, token: string): Promise<PolicyResult> {
    let pending = this.inFlight.get(token);
    if (pending === undefined) {
      pending = this.verify(token).finally(() => this.inFlight.delete(token));
      this.inFlight.set(token, pending);
    }
    const outcome = await pending;
    return outcome instanceof LgspError ? outcome : this.admit(context, outcome);
  }

  private async verify(token: string): Promise<VerifiedToken | LgspError> {
    this.verificationCount++;
    let payload: JWTPayload;
    try {
      payload = await this.verifySignature(token);
    } catch (error) {
      if ((error as { code?: unknown }).code !== errors.JWKSNoMatchingKey.code || !(await this.refetchKeys())) return refusalOfVerificationError(error);
      try {
        payload = await this.verifySignature(token);
      } catch (retryError) {
        return refusalOfVerificationError(retryError);
      }
    }
    const now = this.clock();
    const claims = consumerClaimsOf(payload, Math.floor(now / 1000), this.config.clockToleranceSeconds);
    if (claims instanceof LgspError) return claims;
    const verified: VerifiedToken = { claims, validUntilMs: (claims.exp + this.config.clockToleranceSeconds) * 1000 };
    if (verified.validUntilMs > now) this.cache.set(token, verified, { ttl: Math.ceil(verified.validUntilMs - now) });
    return verified;
  }

  private async verifySignature(token: string): Promise<JWTPayload> {
    return (await jwtVerify(token, this.getKey, { ...this.options, currentDate: new Date(this.clock()) })).payload;
  }

  /** LGSP tokens always name their key; without a kid any published key would be tried. */
  private readonly getKey: JWTVerifyGetKey = (header, token) => {
    if (typeof header.kid !== 'string' || header.kid.length === 0) throw TokenRefusal.kidMissing;
    return this.tokens.keys.getKey(header, token);
  };

  /**
   * An unknown kid may be a key IAM has just started signing with: reload once and retry. At most
   * one reload per interval, shared by every request waiting for it, so a flood of made-up kids
   * cannot turn into a flood of JWKS fetches.
   */
  private async refetchKeys(): Promise<boolean> {
    if (this.refetching === undefined) {
      const now = this.clock();
      if (now - this.lastRefetchAt < this.config.unknownKidRefetchIntervalMs) return false;
      this.lastRefetchAt = now;
      this.refetching = this.tokens.keys
        .refresh()
        .catch(() => undefined)
        .finally(() => (this.refetching = undefined));
    }
    await this.refetching;
    return true;
  }
}
