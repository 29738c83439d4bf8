/**
 * Every refusal the platform answers carries one of these codes as the `code` of its problem+json.
 * They are part of the contract (../shared/CONTRACT.md): extend here, never rename.
 */
export enum ErrorCode {
  RequestIdInvalid = 'request_id_invalid',
  InvalidToken = 'invalid_token',
  ConsumerSuspended = 'consumer_suspended',
  SubscriptionMissing = 'subscription_missing',
  ClassificationForbidden = 'classification_forbidden',
  ZoneForbidden = 'zone_forbidden',
  RateLimited = 'rate_limited',
  SignatureMissing = 'signature_missing',
  SignatureInvalid = 'signature_invalid',
  DigestMismatch = 'digest_mismatch',
  KeyUnknown = 'key_unknown',
  CertificateExpired = 'certificate_expired',
  CertificateRevoked = 'certificate_revoked',
  SignatureExpired = 'signature_expired',
  ReplayDetected = 'replay_detected',
  ValidationFailed = 'validation_failed',
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  NotFound = 'not_found',
  MethodNotAllowed = 'method_not_allowed',
  PreconditionFailed = 'precondition_failed',
  ApiRetired = 'api_retired',
  ApiBlocked = 'api_blocked',
  UpstreamTimeout = 'upstream_timeout',
  UpstreamUnavailable = 'upstream_unavailable',
  CircuitOpen = 'circuit_open',
  Forbidden = 'forbidden',
  Conflict = 'conflict',
  Unprocessable = 'unprocessable',
  InternalError = 'internal_error',
}

export interface ErrorCodeInfo {
  readonly status: number;
  readonly title: string;
}

export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorCodeInfo>> = {
  [ErrorCode.RequestIdInvalid]: { status: 400, title: 'X-Request-ID is missing or is not a UUID v4' },
  [ErrorCode.InvalidToken]: { status: 401, title: 'The access token is missing, invalid or expired' },
  [ErrorCode.ConsumerSuspended]: { status: 403, title: 'The consumer system is suspended' },
  [ErrorCode.SubscriptionMissing]: { status: 403, title: 'The consumer system is not subscribed to this API' },
  [ErrorCode.ClassificationForbidden]: { status: 403, title: 'This data classification may not cross the platform' },
  [ErrorCode.ZoneForbidden]: { status: 403, title: 'This data may only be reached from the Party wide-area network' },
  [ErrorCode.RateLimited]: { status: 429, title: 'Rate limit exceeded' },
  [ErrorCode.SignatureMissing]: { status: 401, title: 'X-Signature is required for this request' },
  [ErrorCode.SignatureInvalid]: { status: 401, title: 'X-Signature does not verify' },
  [ErrorCode.DigestMismatch]: { status: 400, title: 'Content-Digest does not match the body' },
  [ErrorCode.KeyUnknown]: { status: 401, title: 'The signing key is not registered for this consumer system' },
  [ErrorCode.CertificateExpired]: { status: 401, title: 'The signing certificate has expired' },
  [ErrorCode.CertificateRevoked]: { status: 401, title: 'The signing certificate is revoked' },
  [ErrorCode.SignatureExpired]: { status: 401, title: 'The signature is outside its validity window' },
  [ErrorCode.ReplayDetected]: { status: 409, title: 'This request was already received' },
  [ErrorCode.ValidationFailed]: { status: 400, title: 'The request does not match the API description' },
  [ErrorCode.PayloadTooLarge]: { status: 413, title: 'The request body is too large' },
  [ErrorCode.UnsupportedMediaType]: { status: 415, title: 'The request content type is not accepted' },
  [ErrorCode.NotFound]: { status: 404, title: 'No such resource' },
  [ErrorCode.MethodNotAllowed]: { status: 405, title: 'Method not allowed' },
  [ErrorCode.PreconditionFailed]: { status: 412, title: 'A precondition of the request does not hold' },
  [ErrorCode.ApiRetired]: { status: 410, title: 'This API version is retired' },
  [ErrorCode.ApiBlocked]: { status: 503, title: 'This API is blocked by the platform operator' },
  [ErrorCode.UpstreamTimeout]: { status: 504, title: 'The provider service did not answer in time' },
  [ErrorCode.UpstreamUnavailable]: { status: 502, title: 'The provider service could not be reached' },
  [ErrorCode.CircuitOpen]: { status: 503, title: 'The provider service is failing; calls are paused' },
  [ErrorCode.Forbidden]: { status: 403, title: 'Your roles do not allow this action' },
  [ErrorCode.Conflict]: { status: 409, title: 'The resource already exists or was changed meanwhile' },
  [ErrorCode.Unprocessable]: { status: 422, title: 'The request is well-formed but the rules refuse it' },
  [ErrorCode.InternalError]: { status: 500, title: 'Internal error' },
};

const STATUS_FALLBACK: Readonly<Record<number, ErrorCode>> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.InvalidToken,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.MethodNotAllowed,
  409: ErrorCode.Conflict,
  412: ErrorCode.PreconditionFailed,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  422: ErrorCode.Unprocessable,
  429: ErrorCode.RateLimited,
};

/** The contract code for an HTTP status raised by a framework rather than by our own code. */
export function errorCodeForStatus(status: number): ErrorCode {
  return STATUS_FALLBACK[status] ?? (status >= 500 ? ErrorCode.InternalError : ErrorCode.ValidationFailed);
}
