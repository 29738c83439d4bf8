/** Where a page of the SOC search ended: the last item's time and transaction id (newest first). */
export interface LedgerCursor {
  receivedAt: Date;
  transactionId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque to callers: base64url of `{"t": ISO time, "id": transaction id}`. */
export function encodeLedgerCursor(cursor: LedgerCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.receivedAt.toISOString(), id: cursor.transactionId }), 'utf8').toString('base64url');
}

/** undefined when the text is not a cursor this store issued. */
export function decodeLedgerCursor(text: string): LedgerCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { t?: unknown; id?: unknown };
    if (typeof value.t !== 'string' || typeof value.id !== 'string' || !UUID.test(value.id)) return undefined;
    const receivedAt = new Date(value.t);
    return Number.isNaN(receivedAt.getTime()) ? undefined : { receivedAt, transactionId: value.id };
  } catch {
    return undefined;
  }
}

export class InvalidLedgerCursorError extends Error {
  constructor() {
    super('The cursor is not one this ledger issued');
    this.name = 'InvalidLedgerCursorError';
  }
}
