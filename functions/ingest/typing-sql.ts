import { ident, literal } from '../../lib/runtime/duckdb.ts';
import type { ColumnSpec } from '../../lib/spec/columns.ts';

const EXPECTED: Record<ColumnSpec['type'], string> = {
  string: 'text',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true/false, 1/0, yes/no)',
  timestamp: 'an ISO 8601 timestamp',
  date: 'an ISO 8601 date (YYYY-MM-DD)',
};

/** SQL that types one text column and explains why a value does not fit. */
export interface ColumnTyping {
  /** The typed value, NULL when absent or invalid. */
  readonly value: string;
  /** A reason text when the value is invalid, else NULL. */
  readonly problem: string;
}

/** Builds the typing and checking expressions for a declared column read as text. */
export function columnTyping(column: ColumnSpec): ColumnTyping {
  const raw = ident(column.name);
  // Text keeps empty strings; for every other type an empty or blank field means "no value".
  const present = column.type === 'string' ? raw : `NULLIF(trim(${raw}), '')`;
  const value = typedValue(column, present);
  const shown = `'"' || left(${raw}, 80) || CASE WHEN length(${raw}) > 80 THEN '…' ELSE '' END || '"'`;
  const name = literal(`${column.name}: `);
  const expected = column.format ? `a ${column.type} like ${column.format}` : EXPECTED[column.type];
  const checks = [
    `WHEN ${present} IS NULL THEN ${column.nullable ? 'NULL' : `${name} || 'required, got an empty value'`}`,
    `WHEN ${value} IS NULL THEN ${name} || ${literal(`expected ${expected}, got `)} || ${shown}`,
  ];
  if (column.enum) {
    const allowed = column.enum.map(literal).join(', ');
    checks.push(
      `WHEN ${value} NOT IN (${allowed}) THEN ${name} || ${literal(`expected one of ${column.enum.join(', ')}, got `)} || ${shown}`,
    );
  }
  return { value, problem: `CASE ${checks.join(' ')} END` };
}

function typedValue(column: ColumnSpec, present: string): string {
  switch (column.type) {
    case 'string':
      return present;
    case 'number':
      // inf and nan parse as doubles but are never meant by a data file.
      return `(CASE WHEN isfinite(TRY_CAST(${present} AS DOUBLE)) THEN TRY_CAST(${present} AS DOUBLE) END)`;
    case 'integer':
      // A plain cast would round "3.5" to 4; only whole numbers are integers.
      return `(CASE WHEN regexp_full_match(${present}, '[+-]?[0-9]+') THEN TRY_CAST(${present} AS BIGINT) END)`;
    case 'boolean':
      return `(CASE WHEN lower(${present}) IN ('true', 't', '1', 'yes', 'y') THEN true WHEN lower(${present}) IN ('false', 'f', '0', 'no', 'n') THEN false END)`;
    case 'timestamp':
      if (column.format) return `CAST(try_strptime(${present}, ${literal(column.format)}) AS TIMESTAMP)`;
      // Offsets are honoured and stored as UTC (the session time zone is UTC).
      return `CAST(TRY_CAST(${present} AS TIMESTAMPTZ) AS TIMESTAMP)`;
    case 'date':
      if (column.format) return `CAST(try_strptime(${present}, ${literal(column.format)}) AS DATE)`;
      return `TRY_CAST(${present} AS DATE)`;
  }
}
