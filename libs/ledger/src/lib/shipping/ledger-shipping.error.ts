export enum LedgerShippingErrorCode {
  /** Elasticsearch did not acknowledge every item after the configured attempts (429, 5xx, connection). */
  Unavailable = 'LEDGER_TARGET_UNAVAILABLE',
  /** The whole bulk request was refused with a 4xx other than 429 (credentials, privileges, size). */
  RequestRefused = 'LEDGER_REQUEST_REFUSED',
  /** Creating the ILM policy or the index template failed. */
  SetupFailed = 'LEDGER_SETUP_FAILED',
}

/** A batch, or the set-up, could not be acknowledged; the outbox keeps it and the shipper retries. */
export class LedgerShippingError extends Error {
  constructor(
    readonly code: LedgerShippingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LedgerShippingError';
  }
}
