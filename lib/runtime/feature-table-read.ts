import { SluiceError } from '../../core/errors.ts';
import { featureMaxAgeMs, type FeatureTableSpec } from '../definition/feature-table.ts';
import type { DatasetSpec } from '../definition/pipeline-schema.ts';
import type { BatchRecord } from './batch-record.ts';
import { DUCKDB_TYPES, ident } from './duckdb.ts';
import { createTableView, type TableRead, type TableViewContext } from './table-read.ts';

/** DuckDB types an event time may have. */
const EVENT_TIME_TYPE = /^(TIMESTAMP WITH TIME ZONE|TIMESTAMPTZ|TIMESTAMP(_S|_MS|_NS)?|DATE)$/;

/** What an as-of read kept and left out, besides the table read itself. */
export interface AsOfRead extends TableRead {
  readonly asOf: {
    readonly time: string;
    /** Entities in the view: each with its latest row at or before the time. */
    readonly entities: number;
    /** Entities left out because their latest row at or before the time is older than the table's maxAge. */
    readonly stale: number;
    /** Rows of the batches read whose event time is after the time (never used). */
    readonly future: number;
  };
}

/** The batches that existed at `time`: those whose batch time is at or before it (batches must be ordered). */
export function batchesAsOf(batches: readonly BatchRecord[], time: string): BatchRecord[] {
  const end = Date.parse(time);
  return batches.filter((b) => Date.parse(b.time) <= end);
}

/**
 * A time column as a TIMESTAMP in UTC, whatever its stored type: TIMESTAMPTZ converted, TIMESTAMP kept, DATE at
 * midnight, ISO 8601 text parsed (offsets honoured; text without one is read in the session's time zone, so callers
 * set it to UTC). Undefined for any other type.
 */
export function utcTimestampSql(column: string, type: string): string | undefined {
  if (/^TIMESTAMP WITH TIME ZONE$|^TIMESTAMPTZ$/.test(type)) return `timezone('UTC', ${ident(column)})`;
  if (EVENT_TIME_TYPE.test(type)) return `CAST(${ident(column)} AS TIMESTAMP)`;
  if (type === 'VARCHAR') return `timezone('UTC', TRY_CAST(${ident(column)} AS TIMESTAMPTZ))`;
  return undefined;
}

/** An event-time column as a TIMESTAMP in UTC, so comparisons do not depend on the session's time zone; text is not an event time. */
export function eventTimeSql(column: string, type: string, where: string): string {
  const sql = type === 'VARCHAR' ? undefined : utcTimestampSql(column, type);
  if (sql === undefined) {
    throw new SluiceError(
      'FEATURE_EVENT_TIME_TYPE',
      `${where}: event-time column ${column} is ${type}; expected TIMESTAMP, TIMESTAMP WITH TIME ZONE or DATE`,
    );
  }
  return sql;
}

/** What keeps columns from being a feature table's: a key or the event-time column missing, or an event time not typed as a time. */
export function featureTableFieldProblems(table: FeatureTableSpec, fields: ReadonlyArray<{ name: string; type: string }>): string[] {
  const columns = `(columns: ${fields.map((f) => f.name).join(', ')})`;
  const problems = table.key.filter((k) => !fields.some((f) => f.name === k)).map((k) => `key column ${k} is missing ${columns}`);
  const eventTime = fields.find((f) => f.name === table.eventTime);
  if (!eventTime) problems.push(`event-time column ${table.eventTime} is missing ${columns}`);
  else if (!EVENT_TIME_TYPE.test(eventTime.type)) {
    problems.push(`event-time column ${table.eventTime} is ${eventTime.type}; expected TIMESTAMP, TIMESTAMP WITH TIME ZONE or DATE`);
  }
  return problems;
}

/** An instant as a DuckDB TIMESTAMP literal in UTC. */
export function utcTimestampLiteral(time: string): string {
  return `TIMESTAMP '${new Date(time).toISOString().replace('T', ' ').replace('Z', '')}'`;
}

/**
 * Creates view `view` over a feature table as it was known at `time`: from the batches published by then, each
 * entity's latest row whose event time is at or before `time`, unless that row is older than the table's maxAge.
 * Rows with a later event time are never read, so re-running a past time reads what it read then.
 */
export async function createAsOfView(
  context: TableViewContext,
  view: string,
  dataset: DatasetSpec & { readonly featureTable: FeatureTableSpec },
  batches: readonly BatchRecord[],
  time: string,
): Promise<AsOfRead> {
  const table = dataset.featureTable;
  const history = `__history_${view}`;
  const read = await createTableView(context, history, dataset, batches);
  const where = `feature table s3://${dataset.bucket}/${dataset.prefix}`;
  const declared = dataset.columns?.find((c) => c.name === table.eventTime);
  const type = read.fields.find((f) => f.name === table.eventTime)?.type ?? (declared ? DUCKDB_TYPES[declared.type] : undefined);
  if (read.created && type === undefined) {
    throw new SluiceError(
      'FEATURE_EVENT_TIME_MISSING',
      `${where}: has no event-time column ${table.eventTime} (columns: ${read.fields.map((f) => f.name).join(', ')})`,
    );
  }
  const missingKey = table.key.find((k) => read.fields.length > 0 && !read.fields.some((f) => f.name === k));
  if (missingKey !== undefined) {
    throw new SluiceError(
      'FEATURE_KEY_MISSING',
      `${where}: has no key column ${missingKey} (columns: ${read.fields.map((f) => f.name).join(', ')})`,
    );
  }
  const empty = { time, entities: 0, stale: 0, future: 0 };
  if (!read.created || type === undefined) return { ...read, asOf: empty };
  const at = eventTimeSql(table.eventTime, type, where);
  const until = utcTimestampLiteral(time);
  const maxAge = featureMaxAgeMs(table);
  const fresh = maxAge === undefined ? 'true' : `__event_time >= ${until} - to_milliseconds(${Math.round(maxAge)})`;
  const keys = table.key.map(ident).join(', ');
  // Each entity's latest row is computed once, into a temporary table (DuckDB spills it when memory runs short): a
  // view would rerun the window over every row for each query on it — the counts, the reader's DESCRIBE, its scan.
  const latest = `__latest_${view}`;
  await context.db.run(`CREATE TEMP TABLE ${ident(latest)} AS
    SELECT *, ${at} AS __event_time FROM ${ident(history)} WHERE ${at} <= ${until}
    QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY ${at} DESC) = 1`);
  await context.db.run(`CREATE VIEW ${ident(view)} AS SELECT * EXCLUDE (__event_time) FROM ${ident(latest)} WHERE ${fresh}`);
  const [counts] = await context.db.all(
    `SELECT count(*) FILTER (WHERE ${fresh}) AS entities, count(*) FILTER (WHERE NOT (${fresh})) AS stale,
       (SELECT count(*) FROM ${ident(history)} WHERE ${at} > ${until}) AS future
     FROM ${ident(latest)}`,
  );
  return {
    ...read,
    asOf: { time, entities: Number(counts?.entities ?? 0), stale: Number(counts?.stale ?? 0), future: Number(counts?.future ?? 0) },
  };
}

/** Entities whose features are older than a feature table's maxAge, or later than the time, said in one line. */
export function describeAsOf(read: AsOfRead, table: FeatureTableSpec): string | undefined {
  const parts: string[] = [];
  if (read.asOf.stale > 0) {
    const one = read.asOf.stale === 1;
    parts.push(
      `${read.asOf.stale} entit${one ? 'y is' : 'ies are'} left out: ${one ? 'its' : 'their'} latest features are older than maxAge ${table.maxAge}`,
    );
  }
  if (read.asOf.future > 0)
    parts.push(`${read.asOf.future} row${read.asOf.future === 1 ? '' : 's'} with an event time after ${read.asOf.time} not read`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}
