import { ErrorCode } from '@lgsp/contracts';
import { errors } from 'undici';

import { UpstreamRefusals, isProviderFailure, shouldRetryUpstream, upstreamErrorCodeOf } from './upstream-failure.util';

function systemError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('shouldRetryUpstream', () => {
  const reset = systemError('ECONNRESET');

  it.each([
    ['GET', reset],
    ['HEAD', reset],
    ['OPTIONS', reset],
    ['GET', systemError('ECONNREFUSED')],
    ['GET', systemError('EPIPE')],
    // undici's "other side closed": the provider closed the reused keep-alive socket under the request.
    ['GET', new errors.SocketError('other side closed')],
    // undici sometimes wraps the system error.
    ['GET', Object.assign(new Error('fetch failed'), { cause: systemError('ECONNRESET') })],
  ])('retries a %s after %s', (method, error) => {
    expect(shouldRetryUpstream(method, error, 0, false)).toBe(true);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('never retries a %s (a write), even on a connection reset', (method) => {
    expect(shouldRetryUpstream(method, reset, 0, false)).toBe(false);
  });

  it('retries once only', () => {
    expect(shouldRetryUpstream('GET', reset, 1, false)).toBe(false);
  });

  it('never retries after the deadline, nor after a timeout of any kind', () => {
    expect(shouldRetryUpstream('GET', reset, 0, true)).toBe(false);
    expect(shouldRetryUpstream('GET', new errors.ConnectTimeoutError(), 0, false)).toBe(false);
    expect(shouldRetryUpstream('GET', new errors.HeadersTimeoutError(), 0, false)).toBe(false);
    expect(shouldRetryUpstream('GET', new errors.BodyTimeoutError(), 0, false)).toBe(false);
  });

  it.each([systemError('ENOTFOUND'), systemError('EHOSTUNREACH'), new errors.ClientClosedError(), new Error('no code'), 'a string', undefined])(
    'does not retry other failures (%s)',
    (error) => {
      expect(shouldRetryUpstream('GET', error, 0, false)).toBe(false);
    },
  );
});

describe('upstreamErrorCodeOf', () => {
  it('reads the code or the cause’s code, and nothing from non-objects', () => {
    expect(upstreamErrorCodeOf(systemError('EPIPE'))).toBe('EPIPE');
    expect(upstreamErrorCodeOf({ cause: { code: 'ECONNRESET' } })).toBe('ECONNRESET');
    expect(upstreamErrorCodeOf(null)).toBeUndefined();
    expect(upstreamErrorCodeOf({ code: 42 })).toBeUndefined();
  });
});

describe('isProviderFailure', () => {
  it.each([
    ['a connection error', systemError('ECONNREFUSED'), false, true],
    ['the deadline', new Error('aborted'), true, true],
    ['a connect timeout', new errors.ConnectTimeoutError(), false, true],
    ['an unknown error', new Error('odd'), false, true],
    ['undici refusing a header', new errors.NotSupportedError('expect header not supported'), false, false],
    ['undici refusing an argument', new errors.InvalidArgumentError('invalid upgrade header'), false, false],
    ['a pool closed by a registry reload', new errors.ClientClosedError(), false, false],
  ])('decides whether %s counts against the circuit', (_name, error, deadlineExpired, counts) => {
    expect(isProviderFailure(error, deadlineExpired as boolean)).toBe(counts);
  });
});

describe('UpstreamRefusals', () => {
  const refusals = new UpstreamRefusals();

  it('answers 504 upstream_timeout at the deadline, naming the timeout, one shared refusal per timeout', () => {
    const refusal = refusals.of(systemError('ECONNRESET'), true, 2000);
    expect({ code: refusal.code, status: refusal.status, detail: refusal.detail }).toEqual({
      code: ErrorCode.UpstreamTimeout,
      status: 504,
      detail: 'The provider service did not answer within 2000 ms',
    });
    expect(refusals.of(new Error('x'), true, 2000)).toBe(refusal);
    expect(refusals.of(new Error('x'), true, 300).detail).toBe('The provider service did not answer within 300 ms');
  });

  it('answers 504 for a connect timeout and 502 upstream_unavailable naming the error code otherwise', () => {
    expect(refusals.of(new errors.ConnectTimeoutError(), false, 2000)).toMatchObject({ code: ErrorCode.UpstreamTimeout, detail: 'The provider service did not accept a connection in time' });
    expect(refusals.of(systemError('ECONNREFUSED'), false, 2000)).toMatchObject({ code: ErrorCode.UpstreamUnavailable, status: 502, detail: 'The provider service could not be reached (ECONNREFUSED)' });
    expect(refusals.of(new errors.SocketError('other side closed'), false, 2000)).toMatchObject({ code: ErrorCode.UpstreamUnavailable, detail: expect.stringContaining('UND_ERR_SOCKET') });
    expect(refusals.of(new Error('odd'), false, 2000)).toMatchObject({ code: ErrorCode.UpstreamUnavailable, detail: 'The provider service failed to answer' });
    expect(refusals.of(new errors.NotSupportedError('expect header not supported'), false, 2000)).toMatchObject({ code: ErrorCode.InternalError, status: 500 });
  });
});
