import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SluiceError } from '../../../core/errors.ts';
import { ident, literal, type DuckDb } from '../../runtime/duckdb.ts';
import { utcTimestampSql } from '../../runtime/feature-table-read.ts';

/** The table the labels are loaded into: their own columns, plus `__row` (file order) and `__as_of` (UTC TIMESTAMP). */
export const LABELS_TABLE = '__labels';

/** A label file's format, from its name. */
export type LabelFormat = 'csv' | 'jsonl' | 'parquet';

/** What was read as labels: their columns (as the file or table has them) and how many rows. */
export interface LoadedLabels {
  readonly fields: ReadonlyArray<{ name: string; type: string }>;
  readonly rows: number;
}

/** The format of a label file by its extension (`.csv`, `.csv.gz`, `.jsonl`, `.ndjson`, `.json`, `.parquet`). */
export function labelFormat(path: string): LabelFormat {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv') || name.endsWith('.tsv')) return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || name.endsWith('.json')) return 'jsonl';
  if (name.endsWith('.parquet')) return 'parquet';
  throw new SluiceError(
    'TRAINING_LABELS_FORMAT',
    `--labels: cannot tell the format of ${path}; expected a .csv, .jsonl (or .ndjson) or .parquet file, or the name of a dataset`,
  );
}

/** A local file's identity for lineage: its absolute path, size and the first 32 hex digits of its sha256. */
export async function fileVersion(path: string): Promise<{ path: string; bytes: number; sha256: string }> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => {
    throw new SluiceError('TRAINING_LABELS_MISSING', `--labels: ${absolute} does not exist (and no dataset has that name)`);
  });
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(absolute)) hash.update(chunk as Buffer);
  return { path: absolute, bytes: info.size, sha256: hash.digest('hex') };
}

/**
 * The reader of a label file. Key columns are read with the feature tables' key types where the format lets DuckDB be
 * told (CSV), so an id like `00123` keeps its zeros instead of being guessed a number.
 */
export async function labelFileSource(db: DuckDb, path: string, keyTypes: ReadonlyMap<string, string>): Promise<string> {
  const format = labelFormat(path);
  // A folder named key=value in the path is not a column of the labels.
  const file = `${literal(path)}, hive_partitioning = false`;
  if (format === 'parquet') return `read_parquet(${file})`;
  if (format === 'jsonl') return `read_json_auto(${file}, format = 'newline_delimited')`;
  const sniffed = await db.all(`SELECT column_name FROM (DESCRIBE SELECT * FROM read_csv(${file}))`);
  const types = [...keyTypes].filter(([column]) => sniffed.some((r) => r.column_name === column));
  const typed = types.length > 0 ? `, types = {${types.map(([c, t]) => `${literal(c)}: ${literal(t)}`).join(', ')}}` : '';
  return `read_csv(${file}${typed})`;
}

/**
 * Loads labels from `source` (a table function or a view) into {@link LABELS_TABLE}, with the as-of column turned
 * into a UTC TIMESTAMP: a TIMESTAMP, TIMESTAMPTZ or DATE column, or ISO 8601 text. Every label must have a time;
 * rows without one, or with text that is not a time, fail the load, naming their rows (1-based, in file order).
 */
export async function loadLabels(db: DuckDb, source: string, asOf: string, what: string): Promise<LoadedLabels> {
  let fields: Array<{ name: string; type: string }>;
  try {
    fields = (await db.all(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${source})`)).map((r) => ({
      name: String(r.column_name),
      type: String(r.column_type),
    }));
  } catch (error) {
    throw new SluiceError('TRAINING_LABELS_UNREADABLE', `--labels: ${what} cannot be read: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
    });
  }
  const column = fields.find((f) => f.name === asOf);
  const columns = `(columns: ${fields.map((f) => f.name).join(', ')})`;
  if (!column) throw new SluiceError('TRAINING_AS_OF_MISSING', `--as-of: ${what} has no column ${JSON.stringify(asOf)} ${columns}`);
  const reserved = fields.find((f) => f.name.startsWith('__'));
  if (reserved) {
    throw new SluiceError(
      'TRAINING_LABELS_COLUMNS',
      `--labels: ${what} has a column ${reserved.name}; names starting with "__" are reserved`,
    );
  }
  const time = utcTimestampSql(column.name, column.type);
  if (time === undefined) {
    throw new SluiceError(
      'TRAINING_AS_OF_TYPE',
      `--as-of: column ${asOf} of ${what} is ${column.type}; expected a timestamp, a date or ISO 8601 text like 2026-11-30T06:00:00Z`,
    );
  }
  await db.run(`CREATE TABLE ${LABELS_TABLE} AS SELECT row_number() OVER () AS __row, *, ${time} AS __as_of FROM ${source}`);
  const missing = await db.all(`SELECT __row, ${ident(asOf)} AS value FROM ${LABELS_TABLE} WHERE __as_of IS NULL ORDER BY __row`);
  if (missing.length > 0) {
    const shown = missing
      .slice(0, 5)
      .map((r) => (r.value === null ? `row ${r.__row}: empty` : `row ${r.__row}: ${JSON.stringify(r.value)}`));
    throw new SluiceError(
      'TRAINING_AS_OF_INVALID',
      `--as-of: ${missing.length} of the labels in ${what} have no ${asOf} time (${shown.join('; ')}${missing.length > 5 ? '; …' : ''}); every label needs the time it was observed`,
    );
  }
  const [{ n }] = (await db.all(`SELECT count(*) AS n FROM ${LABELS_TABLE}`)) as [{ n: number }];
  return { fields, rows: n };
}
