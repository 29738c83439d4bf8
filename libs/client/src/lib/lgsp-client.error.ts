import type { Problem } from '@lgsp/contracts';

/** What went wrong on the consumer's side of a call: the `code` of an LgspClientError. */
export enum LgspClientErrorCode {
  /** The token endpoint refused the client credentials or answered something else than a token. */
  TokenRefused = 'token_refused',
  /** The platform's signing keys (platformKeys) could not be fetched or read. */
  PlatformKeysUnavailable = 'platform_keys_unavailable',
  /** A signed response does not verify against the request sent and the platform's keys. */
  ResponseSignatureInvalid = 'response_signature_invalid',
  /** Provider side: the X-LGSP-Assertion is missing or does not verify. */
  BackendAssertionInvalid = 'backend_assertion_invalid',
}

export class LgspClientError extends Error {
  override readonly name: string = 'LgspClientError';

  constructor(
    readonly code: LgspClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The token endpoint refused: its RFC 6749 `error` and `error_description` when it gave them. */
export class LgspTokenError extends LgspClientError {
  override readonly name = 'LgspTokenError';

  constructor(
    readonly status: number,
    readonly error: string | undefined,
    readonly errorDescription: string | undefined,
    message: string,
  ) {
    super(LgspClientErrorCode.TokenRefused, message);
  }
}

/** The response carried the platform's signature and it does not verify (or its keys are unknown). */
export class LgspResponseSignatureError extends LgspClientError {
  override readonly name = 'LgspResponseSignatureError';

  constructor(
    /** verifyLgspResponseSignature's reason: bad-signature, unknown-key, expired, digest-mismatch, ... */
    readonly reason: string,
    readonly detail: string,
    readonly status: number,
    readonly requestId: string,
    readonly transactionId: string | undefined,
  ) {
    super(LgspClientErrorCode.ResponseSignatureInvalid, `The response signature does not verify (${reason}): ${detail}`);
  }
}

/** Provider side: why an X-LGSP-Assertion was refused (jose's error code, or `missing` / `claims`). */
export class BackendAssertionError extends LgspClientError {
  override readonly name = 'BackendAssertionError';

  constructor(
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(LgspClientErrorCode.BackendAssertionInvalid, message, options);
  }
}

/**
 * An answer of status 400 or more. From the platform it is RFC 9457 problem+json and `code` is one
 * of the contract's codes; a provider's own error answer passes the gateway unchanged, and then
 * `problem` and `code` are absent and `body` holds what it said.
 */
export class LgspProblemError extends Error {
  override readonly name = 'LgspProblemError';
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly title: string | undefined;

  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
    /** The X-Request-ID this client sent with the refused request. */
    readonly requestId: string,
    /** X-LGSP-Transaction-ID of the answer (or the problem's transactionId). */
    readonly transactionId: string | undefined,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: Buffer,
  ) {
    const code = typeof problem?.code === 'string' ? problem.code : undefined;
    const detail = typeof problem?.detail === 'string' ? problem.detail : undefined;
    const title = typeof problem?.title === 'string' ? problem.title : undefined;
    super(`${status} ${code ?? 'error'}: ${detail ?? title ?? (body.length > 0 ? body.toString('utf8', 0, Math.min(body.length, 300)) : `HTTP ${status}`)}`);
    this.code = code;
    this.detail = detail;
    this.title = title;
  }

  /** Seconds the answer asks to wait (Retry-After in delay-seconds form), when it says. */
  get retryAfterSeconds(): number | undefined {
    const value = this.headers['retry-after'];
    return value !== undefined && /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : undefined;
  }
}
