import { facets } from '../../../lineage/index.ts';
import { ident, literal, type DuckDb } from '../../runtime/duckdb.ts';
import { LABELS_TABLE } from './label-source.ts';

/** One feature table as the join uses it: its view over the whole history, its key, event time, maxAge and columns. */
export interface JoinedTable {
  /** The dataset's name in the pipeline. */
  readonly ref: string;
  readonly identity: { readonly namespace: string; readonly name: string };
  /** A view over the table's history (one row per key and event time). */
  readonly view: string;
  /** Each key column of the table with the label column it matches, and the table's type for it. */
  readonly keys: ReadonlyArray<{ readonly feature: string; readonly label: string; readonly type: string }>;
  readonly eventTime: string;
  /** The event time as a UTC TIMESTAMP expression over the view's columns. */
  readonly eventTimeSql: string;
  readonly maxAgeMs?: number;
  /** Feature columns taken, each with its name in the training set. */
  readonly columns: ReadonlyArray<{ readonly source: string; readonly output: string }>;
  /** The training-set column holding the event time of the row each label got. */
  readonly eventTimeOutput: string;
}

/** How many labels each feature table gave features to, and why the others got none. */
export interface JoinCounts {
  readonly ref: string;
  /** Labels that got the table's values. */
  readonly matched: number;
  /** Labels with no row of their entity at or before their time. */
  readonly missing: number;
  /** Labels whose entity's latest row at their time is older than maxAge (its values left NULL). */
  readonly stale: number;
}

const TRAINING_TABLE = '__training';

/**
 * Joins every label row to each feature table with DuckDB's ASOF join: the row of the label's entity with the greatest
 * event time at or before the label's time, never a later one. A row older than the table's maxAge gives NULLs.
 * Writes the labels' columns and the features, in label order, to `file` as Parquet; returns the counts per table.
 */
export async function writeTrainingSet(
  db: DuckDb,
  labelColumns: readonly string[],
  tables: readonly JoinedTable[],
  file: string,
): Promise<{ rows: number; counts: JoinCounts[] }> {
  const select = [`l.__row`, ...labelColumns.map((c) => `l.${ident(c)}`)];
  const joins: string[] = [];
  tables.forEach((table, i) => {
    const f = `f${i}`;
    const found = `${f}.__event_time IS NOT NULL`;
    const fresh =
      table.maxAgeMs === undefined ? found : `${found} AND ${f}.__event_time >= l.__as_of - to_milliseconds(${Math.round(table.maxAgeMs)})`;
    for (const c of table.columns) select.push(`CASE WHEN ${fresh} THEN ${f}.${ident(c.source)} END AS ${ident(c.output)}`);
    select.push(`CASE WHEN ${fresh} THEN ${f}.__event_time END AS ${ident(table.eventTimeOutput)}`);
    select.push(`CASE WHEN NOT (${found}) THEN 0 WHEN ${fresh} THEN 1 ELSE 2 END AS __match_${i}`);
    const on = table.keys.map((k) => `${f}.${ident(k.feature)} = TRY_CAST(l.${ident(k.label)} AS ${k.type})`);
    joins.push(
      `ASOF LEFT JOIN (SELECT *, ${table.eventTimeSql} AS __event_time FROM ${ident(table.view)}) ${f}
        ON ${[...on, `l.__as_of >= ${f}.__event_time`].join(' AND ')}`,
    );
  });
  await db.run(`CREATE TABLE ${TRAINING_TABLE} AS SELECT ${select.join(', ')} FROM ${LABELS_TABLE} l ${joins.join('\n')}`);
  const matches = tables.map((_, i) => `__match_${i}`);
  const countSql = tables
    .map(
      (_, i) =>
        `count(*) FILTER (WHERE __match_${i} = 1) AS m${i}, count(*) FILTER (WHERE __match_${i} = 0) AS n${i}, count(*) FILTER (WHERE __match_${i} = 2) AS s${i}`,
    )
    .join(', ');
  const [row] = await db.all(`SELECT count(*) AS rows${countSql ? `, ${countSql}` : ''} FROM ${TRAINING_TABLE}`);
  const exclude = ['__row', ...matches].join(', ');
  await db.run(
    `COPY (SELECT * EXCLUDE (${exclude}) FROM ${TRAINING_TABLE} ORDER BY __row) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  return {
    rows: Number(row?.rows ?? 0),
    counts: tables.map((t, i) => ({
      ref: t.ref,
      matched: Number(row?.[`m${i}`]),
      missing: Number(row?.[`n${i}`]),
      stale: Number(row?.[`s${i}`]),
    })),
  };
}

/**
 * The training set's column lineage: label columns copied from the labels, feature columns and event times copied from
 * their tables, and the whole set influenced by the join (keys, the labels' as-of column, each table's event time).
 */
export function trainingColumnLineage(
  labels: { readonly namespace: string; readonly name: string },
  labelColumns: readonly string[],
  asOf: string,
  tables: readonly JoinedTable[],
): facets.ColumnLineageDatasetFacet {
  const copy = (identity: { namespace: string; name: string }, field: string) => ({
    inputFields: [{ ...identity, field, transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }] }],
  });
  const join = (identity: { namespace: string; name: string }, field: string, description: string) => ({
    ...identity,
    field,
    transformations: [{ type: 'INDIRECT', subtype: 'JOIN', description }],
  });
  const fields: Record<string, { inputFields: facets.ColumnLineageInputField[] }> = {};
  for (const c of labelColumns) fields[c] = copy(labels, c);
  const dataset: facets.ColumnLineageInputField[] = [join(labels, asOf, 'as-of time of the point-in-time join')];
  for (const table of tables) {
    for (const c of table.columns) fields[c.output] = copy(table.identity, c.source);
    fields[table.eventTimeOutput] = copy(table.identity, table.eventTime);
    for (const k of table.keys) {
      if (!dataset.some((d) => d.name === labels.name && d.field === k.label))
        dataset.push(join(labels, k.label, 'entity key of the join'));
      dataset.push(join(table.identity, k.feature, 'entity key of the join'));
    }
    dataset.push(join(table.identity, table.eventTime, 'event time of the point-in-time join'));
  }
  return facets.columnLineageDatasetFacet({ fields, dataset });
}
