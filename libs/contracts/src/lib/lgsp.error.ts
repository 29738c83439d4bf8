import { ERROR_CODES, ErrorCode } from './error-code.constant';
import type { ProblemItem } from './problem.type';

/**
 * A refusal with a contract code. Thrown (or returned by a gateway policy) anywhere; one filter
 * turns it into problem+json and the transaction record.
 */
export class LgspError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly errors?: readonly ProblemItem[],
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(detail ?? ERROR_CODES[code].title);
    this.name = 'LgspError';
    this.status = ERROR_CODES[code].status;
  }
}
