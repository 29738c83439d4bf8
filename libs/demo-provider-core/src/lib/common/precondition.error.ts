import { ErrorCode, LgspError } from '@lgsp/contracts';

/** 412 precondition_failed for an If-Match that does not hold. */
export class PreconditionFailedError extends LgspError {
  constructor(detail: string) {
    super(ErrorCode.PreconditionFailed, detail);
    this.name = 'PreconditionFailedError';
  }
}
