/** Injection token of the IamModuleOptions. */
export const IAM_OPTIONS = Symbol('IAM_OPTIONS');

/** The realm named in WWW-Authenticate challenges of the OAuth endpoints. */
export const OAUTH_REALM = 'LGSP';

/** The longest lifetime any access token gets (LGSP_TOKEN_TTL_SECONDS allows no more; a credential's own TTL is capped to it). */
export const MAX_TOKEN_TTL_SECONDS = 86_400;

/** Form bodies of the OAuth endpoints are a handful of short parameters; a client assertion is the longest. */
export const OAUTH_BODY_LIMIT_BYTES = 16_384;

/** client_assertion_type of RFC 7523 private_key_jwt. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A client assertion may be valid for at most this long (its `exp` at most this far ahead). */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

/** Clock skew tolerated on client assertions' exp, nbf and iat. */
export const ASSERTION_CLOCK_TOLERANCE_SECONDS = 30;
