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
    readonly extensions?: { readonly rule?: string; readonly earliest?: string },
  ) {
    super(detail ?? ERROR_CODES[code].title);
    this.name = 'LgspError';
    this.status = ERROR_CODES[code].status;
  }
}

/** A well-formed request that a registry rule refuses: 422 naming the rule (and the earliest allowed date). */
export function ruleViolation(rule: string, detail: string, options: { earliest?: string; errors?: readonly ProblemItem[] } = {}): LgspError {
  return new LgspError(ErrorCode.Unprocessable, detail, options.errors, undefined, { rule, ...(options.earliest !== undefined && { earliest: options.earliest }) });
}
