import { ErrorCode, LgspError } from '@lgsp/contracts';
import { errors as undiciErrors } from 'undici';

const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

/** undici refusing the request before sending it: the gateway's doing, not the provider's. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED']);

/**
 * Failures that say nothing about the provider, so its circuit ignores them: the request was not
 * sent (undici refused it), or its pool was closed under it because the registry moved the route.
 */
const NOT_THE_PROVIDERS_CODES: ReadonlySet<string> = new Set([...NOT_SENT_CODES, 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED']);

/**
 * Connection errors after which the same read is sent once more: the request never got an answer
 * because the connection was refused, or because a keep-alive socket the provider had closed was
 * reused (reset, or closed under the request).
 */
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET']);

const IDEMPOTENT_READS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The system or undici error code of an upstream failure (undici sometimes wraps it as the cause). */
export function upstreamErrorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether a failed upstream call is sent again: exactly once (`attempt` 0 is the first call), only
 * a GET, HEAD or OPTIONS, only after a connection error that came before any answer (a rejected
 * request: undici rejects only until the response headers are in), never after the deadline and
 * never after a connect timeout (the provider is slow, not gone). Writes are never retried, SOAP
 * reads included: a POST is not idempotent at the HTTP level.
 */
export function shouldRetryUpstream(method: string, error: unknown, attempt: number, deadlineExpired: boolean): boolean {
  if (attempt !== 0 || deadlineExpired || !IDEMPOTENT_READS.has(method)) return false;
  const code = upstreamErrorCodeOf(error);
  return code !== undefined && RETRYABLE_CODES.has(code);
}

/** Whether a failed call counts against the provider's circuit (a timeout or a connection error does; undici refusing to send it does not). */
export function isProviderFailure(error: unknown, deadlineExpired: boolean): boolean {
  if (deadlineExpired) return true;
  const code = upstreamErrorCodeOf(error);
  return code === undefined || !NOT_THE_PROVIDERS_CODES.has(code);
}

/** The refusals of upstream failures, made once per timeout and error code and shared. */
export class UpstreamRefusals {
  private readonly timeouts = new Map<number, LgspError>();
  private readonly unavailable = new Map<string, LgspError>();
  private readonly connectTimeout = new LgspError(ErrorCode.UpstreamTimeout, 'The provider service did not accept a connection in time');
  private readonly failedToAnswer = new LgspError(ErrorCode.UpstreamUnavailable, 'The provider service failed to answer');
  private readonly notSent = new LgspError(ErrorCode.InternalError, 'The gateway could not forward this request to the provider service');

  /** 504 when the provider was too slow (the deadline, or the connect timeout), 502 when it could not be reached. */
  of(error: unknown, deadlineExpired: boolean, timeoutMs: number): LgspError {
    if (deadlineExpired || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) return this.timeout(timeoutMs);
    if (error instanceof undiciErrors.ConnectTimeoutError) return this.connectTimeout;
    const code = upstreamErrorCodeOf(error);
    if (code !== undefined && NOT_SENT_CODES.has(code)) return this.notSent;
    if (code === undefined || !UNAVAILABLE_CODES.has(code)) return this.failedToAnswer;
    let refusal = this.unavailable.get(code);
    if (refusal === undefined) {
      refusal = new LgspError(ErrorCode.UpstreamUnavailable, `The provider service could not be reached (${code})`);
      this.unavailable.set(code, refusal);
    }
    return refusal;
  }

  timeout(timeoutMs: number): LgspError {
    let refusal = this.timeouts.get(timeoutMs);
    if (refusal === undefined) {
      refusal = new LgspError(ErrorCode.UpstreamTimeout, `The provider service did not answer within ${timeoutMs} ms`);
      this.timeouts.set(timeoutMs, refusal);
    }
    return refusal;
  }
}
