import { ERROR_CODES, ErrorCode } from './error-code.constant';

/** One violation inside a problem (e.g. a validation error), located by JSON pointer or parameter. */
export interface ProblemItem {
  readonly location: string;
  readonly message: string;
}

/** RFC 9457 problem details with the contract's extension members. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly requestId?: string;
  readonly transactionId?: string;
  readonly errorId?: string;
  readonly errors?: readonly ProblemItem[];
}

export const PROBLEM_TYPE_PREFIX = 'urn:lgsp:problem:';

export interface ProblemExtras {
  detail?: string;
  requestId?: string;
  transactionId?: string;
  errorId?: string;
  errors?: readonly ProblemItem[];
}

export function problemOf(code: ErrorCode, extras: ProblemExtras = {}): Problem {
  const info = ERROR_CODES[code];
  return {
    type: PROBLEM_TYPE_PREFIX + code,
    title: info.title,
    status: info.status,
    code,
    ...(extras.detail === undefined ? {} : { detail: extras.detail }),
    ...(extras.requestId === undefined ? {} : { requestId: extras.requestId }),
    ...(extras.transactionId === undefined ? {} : { transactionId: extras.transactionId }),
    ...(extras.errorId === undefined ? {} : { errorId: extras.errorId }),
    ...(extras.errors === undefined ? {} : { errors: extras.errors }),
  };
}
