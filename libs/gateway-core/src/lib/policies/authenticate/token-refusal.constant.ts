import { ErrorCode, Header, LgspError } from '@lgsp/contracts';

/**
 * A 401 invalid_token refusal with its RFC 6750 §3 challenge. The detail doubles as the
 * error_description, so it stays short, plain ASCII without quotes, and never carries anything
 * taken from the token.
 */
function refusal(detail: string): LgspError {
  return new LgspError(ErrorCode.InvalidToken, detail, undefined, Object.freeze({ [Header.wwwAuthenticate]: `Bearer error="invalid_token", error_description="${detail}"` }));
}

// Built once: refusing (a flood of bad tokens included) allocates nothing and captures no stack.
export const TokenRefusal = {
  missing: refusal('No access token: send Authorization: Bearer <token>'),
  scheme: refusal('The Authorization header must use the Bearer scheme'),
  empty: refusal('The bearer token is empty'),
  tooLong: refusal('The bearer token is too long'),
  malformed: refusal('The access token is not a well-formed signed JWT'),
  algorithm: refusal('The access token must be signed with ES256'),
  kidMissing: refusal('The access token header names no signing key (kid)'),
  unknownKey: refusal('The access token is signed with a key the platform does not publish'),
  ambiguousKey: refusal('The access token names a signing key published more than once'),
  signature: refusal('The access token signature is invalid'),
  typ: refusal('The access token is not an RFC 9068 access token (typ at+jwt)'),
  expired: refusal('The access token has expired'),
  notYetValid: refusal('The access token is not valid yet'),
  issuer: refusal('The access token was issued by another issuer'),
  audience: refusal('The access token is meant for another audience'),
  revoked: refusal('The access token has been revoked'),
  adminToken: refusal('Admin client tokens are not accepted on the data plane'),
  environment: refusal('The access token names no valid environment (env)'),
} as const;

const CLAIM_REFUSALS: ReadonlyMap<string, LgspError> = new Map(
  ['sub', 'client_id', 'jti', 'scope', 'exp', 'iat', 'nbf'].map((claim) => [claim, refusal(`The access token lacks a valid ${claim} claim`)]),
);

/** The refusal for a required claim that is missing or of the wrong type; names only claims we know. */
export function claimRefusal(claim: string): LgspError {
  return CLAIM_REFUSALS.get(claim) ?? TokenRefusal.malformed;
}
