import type { RejectionReason } from '../../asl/step-invocation.ts';
import { literal, type DuckDb } from '../../runtime/duckdb.ts';

/** Reasons a report lists; the rest are counted in the total only. */
const TOP_REASONS = 5;

/**
 * The SQL of a row's problems as a list of `{column, problem}`, from each column's problem expression of the typing
 * scan: kept per column, so rejections can be counted by column and kind of problem.
 */
export function problemList(columns: readonly string[], problems: readonly string[]): string {
  if (columns.length === 0) return 'NULL';
  const items = columns.map((name, i) => `{'column': ${literal(name)}, 'problem': ${problems[i]}}`);
  // The lambda's parameter has a name no column can have (ingest never keeps columns starting with __).
  return `list_filter([${items.join(', ')}], __item -> __item.problem IS NOT NULL)`;
}

/**
 * The most frequent rejection reasons, by column: each column's problem without its value (`expected a number`), how
 * many records had it, the first of them and its value; a record the parser could not read counts under no column.
 * Reads `checked` (with `__problems`) and `raw_rejects` as ingest leaves them; `record` is the SQL of a checked row's
 * record number (the source reader's); `limit` reasons at most (every reason, for a part whose reasons are merged).
 */
export async function rejectionReasons(db: DuckDb, record: string, limit = TOP_REASONS): Promise<RejectionReason[]> {
  const rows = await db.all(`
    WITH problems AS (
      SELECT CAST(__rec AS BIGINT) AS record, p.column AS "column", substr(p.problem, length(p.column) + 3) AS text
      FROM (SELECT ${record} AS __rec, unnest(__problems) AS p FROM checked WHERE __problems IS NOT NULL)
      UNION ALL
      SELECT CAST(__record AS BIGINT), NULL, __reason FROM raw_rejects
    )
    SELECT "column", regexp_replace(text, ', got .*$', '', 's') AS reason, count(*) AS n, min(record) AS first,
      arg_min(nullif(regexp_extract(text, ', got (.*)$', 1, 's'), ''), record) AS example
    FROM problems GROUP BY ALL ORDER BY n DESC, first, "column" NULLS LAST, reason${Number.isFinite(limit) ? ` LIMIT ${limit}` : ''}`);
  return rows.map((r) => ({
    column: r.column === null ? null : String(r.column),
    reason: String(r.reason),
    rows: Number(r.n),
    firstRow: Number(r.first),
    ...(r.example === null || r.example === undefined ? {} : { example: String(r.example) }),
  }));
}
