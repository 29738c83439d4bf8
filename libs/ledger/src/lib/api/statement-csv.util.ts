import type { StatementRow } from '../store/ledger-store.type';

/** A statement's totals: the sums of its rows by each column, and over everything. */
export interface StatementTotals {
  all: number;
  byStatusClass: Record<string, number>;
  byApi: { apiDomain: string; apiVersion: string; count: number }[];
  byDay: Record<string, number>;
}

/** Stands for "every value" in a CSV totals line. */
export const CSV_ANY = '*';
export const STATEMENT_CSV_HEADER = ['api', 'version', 'day', 'status_class', 'count'] as const;

export function totalsOf(rows: readonly StatementRow[]): StatementTotals {
  const totals: StatementTotals = { all: 0, byStatusClass: {}, byApi: [], byDay: {} };
  const byApi = new Map<string, StatementTotals['byApi'][number]>();
  for (const row of rows) {
    totals.all += row.count;
    totals.byStatusClass[row.statusClass] = (totals.byStatusClass[row.statusClass] ?? 0) + row.count;
    totals.byDay[row.day] = (totals.byDay[row.day] ?? 0) + row.count;
    const key = `${row.apiDomain}\n${row.apiVersion}`;
    const api = byApi.get(key) ?? { apiDomain: row.apiDomain, apiVersion: row.apiVersion, count: 0 };
    api.count += row.count;
    byApi.set(key, api);
  }
  totals.byApi = [...byApi.values()];
  return totals;
}

/** RFC 4180: a field with a comma, a double quote, CR or LF is quoted, its quotes doubled. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(fields: readonly (string | number)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/**
 * The CSV form of a statement (text/csv; charset=utf-8, CRLF line ends, RFC 4180): the header
 * `api,version,day,status_class,count`, one line per row, then the totals on the same columns with
 * `*` for "all": per API and version (`tax,v1,*,*,n`), per day (`*,*,2024-03-01,*,n`), per status
 * class (`*,*,*,2xx,n`), and last the grand total (`*,*,*,*,n`).
 */
export function statementCsv(rows: readonly StatementRow[], totals: StatementTotals): string {
  let csv = csvLine(STATEMENT_CSV_HEADER);
  for (const row of rows) csv += csvLine([row.apiDomain, row.apiVersion, row.day, row.statusClass, row.count]);
  for (const api of totals.byApi) csv += csvLine([api.apiDomain, api.apiVersion, CSV_ANY, CSV_ANY, api.count]);
  for (const day of Object.keys(totals.byDay).sort()) csv += csvLine([CSV_ANY, CSV_ANY, day, CSV_ANY, totals.byDay[day]]);
  for (const statusClass of Object.keys(totals.byStatusClass).sort()) csv += csvLine([CSV_ANY, CSV_ANY, CSV_ANY, statusClass, totals.byStatusClass[statusClass]]);
  csv += csvLine([CSV_ANY, CSV_ANY, CSV_ANY, CSV_ANY, totals.all]);
  return csv;
}
