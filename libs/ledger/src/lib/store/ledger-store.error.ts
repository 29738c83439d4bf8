export enum LedgerStoreErrorCode {
  /** The store did not answer (429, 5xx, connection) after the configured attempts: retry later, nothing was acknowledged. */
  Unavailable = 'LEDGER_STORE_UNAVAILABLE',
  /** The store refused the request itself with a 4xx other than 429 (credentials, privileges, size). */
  RequestRefused = 'LEDGER_STORE_REQUEST_REFUSED',
  /** Creating the ILM policy, the index template, the data stream or the heads index failed. */
  SetupFailed = 'LEDGER_STORE_SETUP_FAILED',
  /** A query the store cannot run: a page size out of range (a bad cursor is `InvalidLedgerCursorError`, as in the SQL store). */
  InvalidQuery = 'LEDGER_STORE_INVALID_QUERY',
}

/** A store operation failed; `retryable` says whether the same call may succeed later unchanged. */
export class LedgerStoreError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: LedgerStoreErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'LedgerStoreError';
    this.retryable = options.retryable ?? code === LedgerStoreErrorCode.Unavailable;
  }
}
