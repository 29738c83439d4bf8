import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { sql, type SQL } from 'drizzle-orm';

/** `column IN ('a', 'b')` for a check constraint; the values are our own constants, never input. */
export function oneOf(column: AnyPgColumn, values: readonly string[]): SQL {
  return sql`${column} in (${sql.raw(values.map(quote).join(', '))})`;
}

/** `column <@ ARRAY['a', 'b']::text[]`: every element of a text[] column is one of the values. */
export function allOf(column: AnyPgColumn, values: readonly string[]): SQL {
  return sql`${column} <@ ARRAY[${sql.raw(values.map(quote).join(', '))}]::text[]`;
}

function quote(value: string): string {
  if (!/^[a-z0-9-]+$/.test(value)) throw new Error(`Unexpected check constraint value ${value}`);
  return `'${value}'`;
}
