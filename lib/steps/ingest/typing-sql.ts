import { ident, literal } from '../../runtime/duckdb.ts';
import type { ColumnSpec } from '../../definition/columns.ts';

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
  /** The column's text as typed: NULL when absent (blank, for every type but text), else trimmed. */
  readonly present: string;
  /** The typed value, NULL when absent or invalid (an expression over the present text). */
  readonly value: string;
  /** A reason text when the value is invalid, else NULL, given a reference to the already typed value. */
  problem(typed: string): string;
  /** True when the value fits (problem() would be NULL): a boolean test, far cheaper than building the reason. */
  fits(typed: string): string;
}

/**
 * Builds the typing and checking expressions for a declared column read as text. `text` names where the caller put
 * {@link ColumnTyping.present} (a column of an inner query), so the trim is computed once per value rather than in
 * every test of it; without it the expression is repeated.
 */
export function columnTyping(column: ColumnSpec, text?: string): ColumnTyping {
  const raw = ident(column.name);
  // Text keeps empty strings; for every other type an empty or blank field means "no value".
  const trimmed = column.type === 'string' ? raw : `NULLIF(trim(${raw}), '')`;
  const present = text ?? trimmed;
  const shown = `'"' || left(${raw}, 80) || CASE WHEN length(${raw}) > 80 THEN '…' ELSE '' END || '"'`;
  const name = literal(`${column.name}: `);
  const expected = column.format ? `a ${column.type} like ${column.format}` : EXPECTED[column.type];
  return {
    present: trimmed,
    value: typedValue(column, present),
    problem(typed) {
      const checks = [
        `WHEN ${present} IS NULL THEN ${column.nullable ? 'NULL' : `${name} || 'required, got an empty value'`}`,
        ...outOfRange(column, present).map(
          ([when, why]) => `WHEN ${typed} IS NULL AND ${when} THEN ${name} || ${literal(`${why}, got `)} || ${shown}`,
        ),
        `WHEN ${typed} IS NULL THEN ${name} || ${literal(`expected ${expected}, got `)} || ${shown}`,
      ];
      if (column.enum) {
        const allowed = column.enum.map(literal).join(', ');
        checks.push(
          `WHEN ${typed} NOT IN (${allowed}) THEN ${name} || ${literal(`expected one of ${column.enum.join(', ')}, got `)} || ${shown}`,
        );
      }
      return `CASE ${checks.join(' ')} END`;
    },
    fits(typed) {
      const allowed = column.enum ? ` AND ${typed} IN (${column.enum.map(literal).join(', ')})` : '';
      return `CASE WHEN ${present} IS NULL THEN ${column.nullable ? 'true' : 'false'} ELSE ${typed} IS NOT NULL${allowed} END`;
    },
  };
}

// Only what the declared zod types accept: DuckDB's casts also take "1_000", "2026-1-5" and five-digit years.
const NUMBER = `'[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?'`;
const DATE = `'[0-9]{4}-[0-9]{2}-[0-9]{2}'`;
const TIMESTAMP = `'[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?'`;

/** Values of the right shape that still cannot be stored: each a condition on the text and what is wrong with it. */
function outOfRange(column: ColumnSpec, present: string): Array<[string, string]> {
  if (column.format) return [];
  if (column.type === 'number') {
    return [[`regexp_full_match(${present}, ${NUMBER})`, 'out of the range of a double (it would be stored as 0 or infinity)']];
  }
  if (column.type === 'date' || column.type === 'timestamp') {
    return [[`starts_with(${present}, '0000-')`, 'year 0000 does not exist (it would be stored as 1 BC)']];
  }
  return [];
}

function typedValue(column: ColumnSpec, present: string): string {
  switch (column.type) {
    case 'string':
      return present;
    case 'number': {
      // inf and nan parse as doubles but are never meant by a data file; 1e-400 parses as 0, which it is not.
      const double = `TRY_CAST(${present} AS DOUBLE)`;
      return `(CASE WHEN regexp_full_match(${present}, ${NUMBER}) AND isfinite(${double})
        AND (${double} <> 0 OR NOT regexp_matches(regexp_replace(${present}, '[eE].*', ''), '[1-9]')) THEN ${double} END)`;
    }
    case 'integer':
      // A plain cast would round "3.5" to 4; only whole numbers are integers.
      return `(CASE WHEN regexp_full_match(${present}, '[+-]?[0-9]+') THEN TRY_CAST(${present} AS BIGINT) END)`;
    case 'boolean':
      return `(CASE lower(${present}) WHEN 'true' THEN true WHEN 't' THEN true WHEN '1' THEN true WHEN 'yes' THEN true WHEN 'y' THEN true
        WHEN 'false' THEN false WHEN 'f' THEN false WHEN '0' THEN false WHEN 'no' THEN false WHEN 'n' THEN false END)`;
    case 'timestamp':
      if (column.format) return `CAST(try_strptime(${present}, ${literal(column.format)}) AS TIMESTAMP)`;
      // A plain TIMESTAMP cast would drop a UTC offset; the slower TIMESTAMPTZ cast (session zone UTC) is needed
      // only when the text may carry one, i.e. does not end in "Z" and is longer than "YYYY-MM-DD HH:MM:SS".
      return `(CASE WHEN NOT regexp_full_match(${present}, ${TIMESTAMP}) OR starts_with(${present}, '0000-') THEN NULL
        WHEN ends_with(${present}, 'Z') OR length(${present}) <= 19 THEN TRY_CAST(${present} AS TIMESTAMP)
        ELSE CAST(TRY_CAST(${present} AS TIMESTAMPTZ) AS TIMESTAMP) END)`;
    case 'date':
      if (column.format) return `CAST(try_strptime(${present}, ${literal(column.format)}) AS DATE)`;
      return `(CASE WHEN regexp_full_match(${present}, ${DATE}) AND NOT starts_with(${present}, '0000-') THEN TRY_CAST(${present} AS DATE) END)`;
  }
}
