import { ErrorCode, LgspError, type ProblemItem } from '@lgsp/contracts';

import { MAX_RECONCILIATION_ROWS } from './ledger-api-options.type';

/** One line of a party's own list: an X-Request-ID it sent or received, with the status it saw. */
export interface PartyTransaction {
  requestId: string;
  status: number;
}

export interface ReconciliationInput {
  party: string;
  from: string;
  to: string;
  transactions: PartyTransaction[];
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** A refusal lists this many invalid rows at most (and says how many there were). */
const LISTED_ERRORS = 100;
const ENVELOPE_FIELDS = ['party', 'from', 'to', 'transactions'];

function rowProblem(items: ProblemItem[]): LgspError {
  const listed = items.slice(0, LISTED_ERRORS);
  const more = items.length > listed.length ? ` (the first ${LISTED_ERRORS} are listed)` : '';
  return new LgspError(ErrorCode.Unprocessable, `${items.length} row(s) of the list are invalid${more}`, listed);
}

function statusOf(value: unknown): number | undefined {
  const status = typeof value === 'string' && /^[0-9]{3}$/.test(value.trim()) ? Number(value.trim()) : value;
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

function tooMany(count: number): LgspError {
  return new LgspError(ErrorCode.Unprocessable, `A list may hold at most ${MAX_RECONCILIATION_ROWS} rows; this one has ${count}`);
}

/** A JSON upload: `{ party, from, to, transactions: [{ requestId, status }] }`; rows located by JSON pointer. */
export function reconciliationFromJson(body: unknown): ReconciliationInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new LgspError(ErrorCode.ValidationFailed, 'The body must be a JSON object');
  const envelope = body as Record<string, unknown>;
  const errors: ProblemItem[] = Object.keys(envelope)
    .filter((key) => !ENVELOPE_FIELDS.includes(key))
    .map((key) => ({ location: `/${key}`, message: 'unknown field' }));
  for (const key of ['party', 'from', 'to']) if (typeof envelope[key] !== 'string') errors.push({ location: `/${key}`, message: 'must be a string' });
  if (!Array.isArray(envelope.transactions)) errors.push({ location: '/transactions', message: 'must be an array' });
  if (errors.length > 0) throw new LgspError(ErrorCode.ValidationFailed, 'The request has invalid fields', errors);
  const rows = envelope.transactions as unknown[];
  if (rows.length > MAX_RECONCILIATION_ROWS) throw tooMany(rows.length);
  const transactions: PartyTransaction[] = [];
  const rowErrors: ProblemItem[] = [];
  rows.forEach((row, index) => {
    const at = `/transactions/${index}`;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return void rowErrors.push({ location: at, message: 'must be an object { requestId, status }' });
    const { requestId, status, ...rest } = row as Record<string, unknown>;
    for (const key of Object.keys(rest)) rowErrors.push({ location: `${at}/${key}`, message: 'unknown field' });
    const parsedStatus = typeof status === 'number' ? statusOf(status) : undefined;
    if (typeof requestId !== 'string' || !UUID.test(requestId)) rowErrors.push({ location: `${at}/requestId`, message: 'must be a UUID' });
    if (parsedStatus === undefined) rowErrors.push({ location: `${at}/status`, message: 'must be an HTTP status (integer 100..599)' });
    if (typeof requestId === 'string' && UUID.test(requestId) && parsedStatus !== undefined) transactions.push({ requestId: requestId.toLowerCase(), status: parsedStatus });
  });
  if (rowErrors.length > 0) throw rowProblem(rowErrors);
  return { party: envelope.party as string, from: envelope.from as string, to: envelope.to as string, transactions };
}

/** Strips the quotes of an RFC 4180 field (`"a""b"` → `a"b`). */
function unquote(field: string): string {
  const trimmed = field.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).replace(/""/g, '"') : trimmed;
}

/**
 * A CSV upload (text/csv): the header `request_id,status`, then one line per transaction; CRLF or
 * LF; a blank last line is allowed. Rows are located by line number (the header is line 1).
 */
export function transactionsFromCsv(text: string): PartyTransaction[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').split(',').map((field) => unquote(field).toLowerCase());
  if (header.join(',') !== 'request_id,status') {
    throw new LgspError(ErrorCode.Unprocessable, 'The CSV must start with the header request_id,status', [{ location: 'line 1', message: 'must be request_id,status' }]);
  }
  if (lines.length - 1 > MAX_RECONCILIATION_ROWS) throw tooMany(lines.length - 1);
  const transactions: PartyTransaction[] = [];
  const errors: ProblemItem[] = [];
  for (let index = 1; index < lines.length; index++) {
    const at = `line ${index + 1}`;
    const fields = lines[index].split(',').map(unquote);
    if (fields.length !== 2) {
      errors.push({ location: at, message: 'must have two fields: request_id,status' });
      continue;
    }
    const [requestId, status] = fields;
    const parsedStatus = statusOf(status);
    if (!UUID.test(requestId)) errors.push({ location: `${at}, request_id`, message: 'must be a UUID' });
    if (parsedStatus === undefined) errors.push({ location: `${at}, status`, message: 'must be an HTTP status (100..599)' });
    if (UUID.test(requestId) && parsedStatus !== undefined) transactions.push({ requestId: requestId.toLowerCase(), status: parsedStatus });
  }
  if (errors.length > 0) throw rowProblem(errors);
  return transactions;
}
