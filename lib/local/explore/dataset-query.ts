import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { SluiceError } from '../../../core/errors.ts';
import { semanticsOf } from '../../definition/dataset-semantics.ts';
import type { BatchRecord } from '../../runtime/batch-record.ts';
import { ident, literal, openDuckDb, type DuckDb } from '../../runtime/duckdb.ts';
import type { ObjectStore } from '../../runtime/object-store.ts';
import { createTableView, tableBatches } from '../../runtime/table-read.ts';
import type { StoredDataset } from './find-datasets.ts';
import { checkWhere } from './where-filter.ts';

/** What to show of a dataset. */
export interface DatasetQuery {
  /** One batch by id, `latest`, or (an upload dataset) one uploaded file by name; default: the table readers see. */
  readonly batch?: string;
  readonly limit: number;
  /** A filter expression over the columns (checked to be one; see {@link checkWhere}). */
  readonly where?: string;
}

/** Rows of a dataset as DuckDB reads them, with how many match in all and what was read. */
export interface DatasetRows {
  readonly columns: ReadonlyArray<{ name: string; type: string }>;
  readonly rows: ReadonlyArray<Record<string, unknown>>;
  readonly matched: number;
  /** The batches (or uploaded files) read. */
  readonly read: readonly string[];
}

/**
 * Reads a dataset's rows with DuckDB: the table its semantics define (every batch, the latest, or the latest row per
 * key), with a `batch` column, or one batch; an upload dataset's files as they were uploaded. The files are fetched into
 * a scratch folder, which is the only place DuckDB may read once they are there: the filter runs with external
 * access switched off and the configuration locked.
 */
export async function queryDataset(
  store: ObjectStore,
  dataset: StoredDataset,
  query: DatasetQuery,
  onProgress?: (message: string) => void,
): Promise<DatasetRows> {
  if (!Number.isSafeInteger(query.limit) || query.limit < 0) {
    throw new SluiceError('EXPLORE_LIMIT', `--limit: expected a whole number of rows >= 0, got ${query.limit}`);
  }
  const scratch = await mkdtemp(join(tmpdir(), 'sluice-show-'));
  const db = await openDuckDb();
  try {
    const read =
      dataset.state === 'upload'
        ? await viewUploads(db, store, dataset, query.batch, scratch, onProgress)
        : await viewBatches(db, store, dataset, query.batch, scratch, onProgress);
    await db.run(`SET allowed_directories = [${literal(`${scratch}/`)}]`);
    await db.run('SET enable_external_access = false');
    await db.run('SET lock_configuration = true');
    const where = query.where === undefined ? '' : ` WHERE ${await checkWhere(db, query.where)}`;
    const columns = (await db.all('SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM t)')).map((r) => ({
      name: String(r.column_name),
      type: String(r.column_type),
    }));
    let matched: number;
    let rows: Array<Record<string, unknown>>;
    try {
      [{ n: matched }] = (await db.all(`SELECT count(*) AS n FROM t${where}`)) as [{ n: number }];
      rows = await db.all(`SELECT * FROM t${where} LIMIT ${query.limit}`);
    } catch (error) {
      const why = (error as Error).message.split('\n')[0]!.replace(/^\w+ Error: /, '');
      throw new SluiceError('EXPLORE_WHERE_INVALID', `--where: ${why} (columns: ${columns.map((c) => `${c.name} ${c.type}`).join(', ')})`, {
        cause: error,
      });
    }
    // A DATE comes back as midnight UTC; shown as the date it is, not a timestamp.
    const dates = columns.filter((c) => c.type === 'DATE').map((c) => c.name);
    for (const row of rows) for (const d of dates) if (typeof row[d] === 'string') row[d] = (row[d] as string).slice(0, 10);
    return { columns, rows, matched, read };
  } finally {
    db.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

async function viewBatches(
  db: DuckDb,
  store: ObjectStore,
  dataset: StoredDataset,
  wanted: string | undefined,
  scratch: string,
  onProgress?: (message: string) => void,
): Promise<string[]> {
  const all = dataset.batches;
  let batches: BatchRecord[];
  if (wanted === undefined) batches = dataset.declared ? tableBatches(all, semanticsOf(dataset.spec)) : [...all];
  else {
    const found = wanted === 'latest' ? all.at(-1) : all.find((b) => b.batch === wanted);
    if (!found)
      throw unknownBatch(
        dataset,
        wanted,
        all.map((b) => b.batch),
      );
    batches = [found];
  }
  const files = batches.reduce((n, b) => n + b.files.length, 0);
  const bytes = batches.reduce((n, b) => n + b.files.reduce((m, f) => m + f.bytes, 0), 0);
  if (files > 0)
    onProgress?.(
      `reading ${batches.length} batch${batches.length === 1 ? '' : 'es'} (${files} file${files === 1 ? '' : 's'}, ${megabytes(bytes)})`,
    );
  const created = await createTableView({ db, store, scratch: (file) => join(scratch, file) }, 't', dataset.spec, batches);
  if (!created.created) await db.run(`CREATE VIEW t AS SELECT NULL::VARCHAR AS ${ident('batch')} WHERE false`);
  return batches.map((b) => b.batch);
}

async function viewUploads(
  db: DuckDb,
  store: ObjectStore,
  dataset: StoredDataset,
  wanted: string | undefined,
  scratch: string,
  onProgress?: (message: string) => void,
): Promise<string[]> {
  const uploads = dataset.uploads ?? [];
  const chosen = wanted === undefined ? uploads : uploads.filter((o) => basename(o.key) === wanted || o.key === wanted);
  if (wanted !== undefined && chosen.length === 0)
    throw unknownBatch(
      dataset,
      wanted,
      uploads.map((o) => basename(o.key)),
    );
  onProgress?.(
    `reading ${chosen.length} uploaded file${chosen.length === 1 ? '' : 's'} (${megabytes(chosen.reduce((n, o) => n + o.size, 0))})`,
  );
  const files: string[] = [];
  for (const [i, o] of chosen.entries()) {
    const local = join(scratch, `${i}-${basename(o.key)}`);
    await store.download(o.bucket, o.key, local);
    files.push(local);
  }
  const list = `[${files.map(literal).join(', ')}]`;
  const csv = dataset.spec.csv;
  const reader =
    dataset.spec.format === 'parquet'
      ? `read_parquet(${list}, union_by_name = true)`
      : dataset.spec.format === 'jsonl'
        ? `read_json(${list}, format = 'newline_delimited', union_by_name = true, ignore_errors = true)`
        : `read_csv(${list}, union_by_name = true, all_varchar = true, ignore_errors = true${csv?.delimiter ? `, delim = ${literal(csv.delimiter)}` : ''}${csv?.quote ? `, quote = ${literal(csv.quote)}` : ''}${csv?.header === false ? ', header = false' : ''})`;
  await db.run(files.length > 0 ? `CREATE VIEW t AS SELECT * FROM ${reader}` : 'CREATE VIEW t AS SELECT NULL::VARCHAR AS file WHERE false');
  return chosen.map((o) => basename(o.key));
}

function unknownBatch(dataset: StoredDataset, wanted: string, known: readonly string[]): SluiceError {
  const shown = known.length > 10 ? [...known.slice(-10), `… and ${known.length - 10} older`] : known;
  return new SluiceError(
    'EXPLORE_BATCH_UNKNOWN',
    `--batch: dataset ${dataset.ref} has no batch ${JSON.stringify(wanted)} (latest, ${shown.join(', ') || 'none'})`,
  );
}

function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
