import type { ColumnSpec } from '../../definition/columns.ts';
import { ident, literal, type DuckDb } from '../../runtime/duckdb.ts';
import { RAW_TEXT, unreadable } from './read-source.ts';
import { problemList } from './rejection-reasons.ts';
import { columnTyping, type ColumnTyping } from './typing-sql.ts';

/** A declared column with its typing expressions. */
export type TypedColumn = { readonly name: string } & ColumnTyping;

/** The typing of each column ingest stages; column i's trimmed text is `__p<i>` of the inner query. */
export function typedColumns(columns: readonly ColumnSpec[]): TypedColumn[] {
  return columns.map((c, i) => ({ name: c.name, ...columnTyping(c, `__p${i}`) }));
}

/**
 * Types the records of `raw` into the table `checked`: every column typed once, `__reason` empty for a record that
 * fits, else its problems, the columns that have them and the record's raw text. Whole objects and their parts are
 * typed by this one statement, so they stage and reject exactly the same rows.
 */
export async function typeRecords(db: DuckDb, typings: readonly TypedColumn[], uri: string, format: string): Promise<void> {
  const described = (await db.all(`SELECT column_name FROM (DESCRIBE raw)`)).map((r) => String(r.column_name));
  const rawColumns = described.filter((c) => c !== '__record' && c !== '__line' && c !== RAW_TEXT);
  // A source that keeps each record's own text (JSON Lines) rejects it as it came; others as JSON of their columns.
  const rawJson = described.includes(RAW_TEXT)
    ? RAW_TEXT
    : rawColumns.length > 0
      ? `to_json(struct_pack(${rawColumns.map((c) => `${ident(c)} := ${ident(c)}`).join(', ')}))::VARCHAR`
      : 'NULL';
  const problems = typings.map((t, i) => t.problem(`__v${i}`));
  try {
    // Innermost: each value's text trimmed once (every test of it reads the result); then typed once; then whether the
    // row fits, a cheap boolean; reasons, columns and raw text are built only for the rows that do not fit (CASE
    // evaluates a branch only for the rows that take it).
    await db.run(`CREATE TABLE checked AS
      SELECT __record, __line,
        ${typings.map((t, i) => `__v${i} AS ${ident(t.name)}`).join(',\n        ')},
        CASE WHEN __fits THEN '' ELSE concat_ws('; ', ${problems.join(', ')}) END AS __reason,
        CASE WHEN NOT __fits THEN concat_ws(',', ${typings.map((t, i) => `CASE WHEN ${problems[i]} IS NOT NULL THEN ${literal(t.name)} END`).join(', ')}) END AS __columns,
        CASE WHEN NOT __fits THEN ${rawJson} END AS __raw,
        CASE WHEN NOT __fits THEN ${problemList(
          typings.map((t) => t.name),
          problems,
        )} END AS __problems
      FROM (
        SELECT *, ${typings.map((t, i) => t.fits(`__v${i}`)).join(' AND ') || 'true'} AS __fits
        FROM (SELECT *, ${typings.map((t, i) => `${t.value} AS __v${i}`).join(', ')}
          FROM (SELECT *, ${typings.map((t, i) => `${t.present} AS __p${i}`).join(', ') || 'NULL AS __p'} FROM raw)))`);
  } catch (error) {
    throw unreadable(uri, format, error);
  }
}

/** Collects every rejected record (typing problems and records the reader could not read) into `rejects`; counts `checked`. */
export async function collectRejected(db: DuckDb, record: string): Promise<{ valid: number; invalid: number }> {
  // Record numbers are whole numbers whichever reader counted them (a parser's line arithmetic would make them DOUBLE).
  await db.run(`CREATE TABLE rejects AS
      SELECT CAST(${record} AS BIGINT) AS source_row, CAST(__line AS BIGINT) AS source_line, __columns AS "column", __reason AS reason, __raw AS raw
      FROM checked WHERE __reason <> ''
      UNION ALL
      SELECT CAST(__record AS BIGINT), CAST(__line AS BIGINT), NULL, __reason, __raw FROM raw_rejects`);
  const [counts] = (await db.all(
    `SELECT count(*) FILTER (WHERE __reason = '') AS valid, count(*) FILTER (WHERE __reason <> '') AS invalid FROM checked`,
  )) as [{ valid: number; invalid: number }];
  return counts;
}

/** Writes the rejected records, in record order, as Parquet. */
export async function writeRejects(db: DuckDb, file: string): Promise<void> {
  await db.run(`COPY (SELECT * FROM rejects ORDER BY source_row, source_line) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`);
}

/** Writes the records that fit, typed, as Parquet. */
export async function writeStaged(db: DuckDb, typings: readonly TypedColumn[], file: string): Promise<void> {
  await db.run(`COPY (SELECT ${typings.map((t) => ident(t.name)).join(', ')} FROM checked WHERE __reason = '')
    TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`);
}

/** The message lines of the most frequent rejection reasons, as the ingest verdict quotes them. */
export function reasonLines(
  rejections: ReadonlyArray<{ column: string | null; reason: string; rows: number; firstRow: number; example?: string }>,
): string[] {
  return rejections
    .slice(0, 3)
    .map(
      (r) =>
        `${r.column ? `${r.column}: ` : ''}${r.reason} (${r.rows} row${r.rows === 1 ? '' : 's'}, first at record ${r.firstRow}${r.example ? `: ${r.example}` : ''})`,
    );
}
