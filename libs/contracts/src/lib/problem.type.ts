import { ERROR_CODES, ErrorCode } from './error-code.constant';

/** One violation inside a problem (e.g. a validation error), located by JSON pointer or parameter. */
export interface ProblemItem {
  readonly location: string;
  readonly message: string;
  /** The registry rule this item breaks, when it is one. */
  readonly rule?: string;
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
  /** The registry rule a well-formed request broke (422), e.g. `sunset-notice-60-days`. */
  readonly rule?: string;
  /** YYYY-MM-DD: the earliest date at which the refused step would be allowed. */
  readonly earliest?: string;
}

export const PROBLEM_TYPE_PREFIX = 'urn:lgsp:problem:';

export interface ProblemExtras {
  detail?: string;
  requestId?: string;
  transactionId?: string;
  errorId?: string;
  errors?: readonly ProblemItem[];
  rule?: string;
  earliest?: string;
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
    ...(extras.rule === undefined ? {} : { rule: extras.rule }),
    ...(extras.earliest === undefined ? {} : { earliest: extras.earliest }),
  };
}
