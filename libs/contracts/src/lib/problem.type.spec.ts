import { ERROR_CODES, ErrorCode, errorCodeForStatus } from './error-code.constant';
import { problemOf } from './problem.type';

describe('problemOf', () => {
  it('builds RFC 9457 members and the contract extensions from the code', () => {
    expect(problemOf(ErrorCode.UpstreamTimeout, { requestId: 'r', transactionId: 't', detail: 'd' })).toEqual({
      type: 'urn:lgsp:problem:upstream_timeout',
      title: ERROR_CODES[ErrorCode.UpstreamTimeout].title,
      status: 504,
      code: 'upstream_timeout',
      detail: 'd',
      requestId: 'r',
      transactionId: 't',
    });
  });

  it('leaves out members that are not given', () => {
    expect(Object.keys(problemOf(ErrorCode.NotFound))).toEqual(['type', 'title', 'status', 'code']);
  });

  it('maps framework statuses to contract codes, never 4xx to internal_error', () => {
    expect(errorCodeForStatus(404)).toBe(ErrorCode.NotFound);
    expect(errorCodeForStatus(413)).toBe(ErrorCode.PayloadTooLarge);
    expect(errorCodeForStatus(418)).toBe(ErrorCode.ValidationFailed);
    expect(errorCodeForStatus(503)).toBe(ErrorCode.InternalError);
  });
});
