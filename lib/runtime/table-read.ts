import { createHash } from 'node:crypto';
import { mkdir, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { semanticsOf, type TableSemantics } from '../definition/dataset-semantics.ts';
import type { DatasetSpec } from '../definition/pipeline-schema.ts';
import type { BatchRecord } from './batch-record.ts';
import { DUCKDB_TYPES, ident, literal, type DuckDb } from './duckdb.ts';
import { batchPartition } from './batch.ts';
import type { DatasetObservation } from './lineage/step-lineage.ts';
import type { ObjectStore } from './object-store.ts';

/** The column every table a step reads gets: the id of the batch each row belongs to (the `batch=<id>` partition). */
export const BATCH_COLUMN = 'batch';

/** A window over a dataset's batches: those whose time is in (until − days, until]. */
export interface BatchWindow {
  readonly days: number;
  readonly until: string;
}

/**
 * The batches that make up a dataset's table, oldest first: every batch (`append`, `upsert`) or the latest one
 * (`snapshot`); a window keeps only batches whose time falls in it. `batches` must be ordered (see listBatches).
 */
export function tableBatches(batches: readonly BatchRecord[], semantics: TableSemantics, window?: BatchWindow): BatchRecord[] {
  let selected = [...batches];
  if (window) {
    const end = Date.parse(window.until);
    const start = end - window.days * 86_400_000;
    selected = selected.filter((b) => Date.parse(b.time) > start && Date.parse(b.time) <= end);
  }
  return semantics.kind === 'snapshot' ? selected.slice(-1) : selected;
}

/** Where in the step's scratch directory a view's batch file is kept (Hive-style, so rows get their batch id). */
export function tableViewFile(view: string, batch: string, index: number): string {
  return join(view, `${BATCH_COLUMN}=${batch}`, `${index}.parquet`);
}

/** What a step read as a table: the batches, their size, and a version naming exactly that set. */
export interface TableRead {
  readonly batches: readonly BatchRecord[];
  readonly rows: number;
  readonly bytes: number;
  readonly files: number;
  readonly fields: ReadonlyArray<{ name: string; type: string }>;
  /** The one file's version for a single-file read (what its writer reported), else a digest of every file read. */
  readonly version?: string;
  /** False when there was nothing to read and no declared columns to make an empty table from. */
  readonly created: boolean;
  /** With no batch to read: how many objects lie under the prefix without a batch record (written by other means). */
  readonly unrecorded?: number;
}

/** What {@link createTableView} needs from the step. */
export interface TableViewContext {
  readonly db: DuckDb;
  readonly store: ObjectStore;
  /** A path in the step's scratch directory. */
  scratch(file: string): string;
}

/**
 * Gets the batches' files (downloaded, or under a local run linked to where the embedded S3 keeps them) and creates
 * view `view` over them in one `read_parquet`: rows of every batch with a `batch` column (unless the data has its own),
 * and for an upsert dataset only the latest row per key — ordered by `orderBy` (NULLs oldest), then by batch order,
 * then by position in the batch's files.
 */
export async function createTableView(
  context: TableViewContext,
  view: string,
  dataset: DatasetSpec,
  batches: readonly BatchRecord[],
): Promise<TableRead> {
  const files: string[] = [];
  for (const batch of batches) {
    for (const [i, file] of batch.files.entries()) {
      // Hive-style directories give the rows their batch id as a column, as any reader of the bucket sees it.
      const local = context.scratch(tableViewFile(view, batch.batch, i));
      await mkdir(dirname(local), { recursive: true });
      // The version the record names, so a file rewritten or damaged after its record is never read as this batch.
      const read = await context.store.read({ bucket: batch.bucket, key: file.key, etag: file.etag, versionId: file.versionId }, local);
      if (read.path !== local) await symlink(read.path, local);
      files.push(local);
    }
  }
  const fields = unionFields(batches);
  const read: Omit<TableRead, 'created'> = {
    batches,
    rows: batches.reduce((n, b) => n + b.rows, 0),
    bytes: batches.reduce((n, b) => n + b.files.reduce((m, f) => m + f.bytes, 0), 0),
    files: files.length,
    fields,
    ...(batches.length > 0 ? { version: tableVersion(batches) } : {}),
  };
  const ownBatchColumn = fields.some((f) => f.name === BATCH_COLUMN) || dataset.columns?.some((c) => c.name === BATCH_COLUMN);
  if (files.length === 0) {
    if (!dataset.columns) return { ...read, created: false };
    const columns = dataset.columns.map((c) => `CAST(NULL AS ${DUCKDB_TYPES[c.type]}) AS ${ident(c.name)}`);
    if (!ownBatchColumn) columns.push(`CAST(NULL AS VARCHAR) AS ${ident(BATCH_COLUMN)}`);
    await context.db.run(`CREATE VIEW ${ident(view)} AS SELECT ${columns.join(', ')} WHERE false`);
    return { ...read, created: true };
  }
  const semantics = semanticsOf(dataset);
  const options = [
    'union_by_name = true',
    // DuckDB detects Hive directories by itself, so a dataset's own batch column needs it switched off.
    ...(ownBatchColumn ? ['hive_partitioning = false'] : [`hive_partitioning = true`, `hive_types = {${literal(BATCH_COLUMN)}: VARCHAR}`]),
    ...(semantics.kind === 'upsert' ? [`filename = '__file'`, 'file_row_number = true'] : []),
  ];
  const source = `read_parquet([${files.map(literal).join(', ')}], ${options.join(', ')})`;
  if (semantics.kind !== 'upsert') {
    await context.db.run(`CREATE VIEW ${ident(view)} AS SELECT * FROM ${source}`);
  } else {
    const order = [
      ...(semantics.orderBy ? [`${ident(semantics.orderBy)} DESC NULLS LAST`] : []),
      `list_position([${files.map(literal).join(', ')}], __file) DESC`,
      'file_row_number DESC',
    ];
    await context.db.run(`CREATE VIEW ${ident(view)} AS SELECT * EXCLUDE (__file, file_row_number) FROM ${source}
      QUALIFY row_number() OVER (PARTITION BY ${semantics.key.map(ident).join(', ')} ORDER BY ${order.join(', ')}) = 1`);
  }
  return { ...read, created: true };
}

/** The columns of the batches' files, each once, in order of first appearance. */
function unionFields(batches: readonly BatchRecord[]): Array<{ name: string; type: string }> {
  const fields = new Map<string, string>();
  for (const batch of batches) for (const f of batch.fields) if (!fields.has(f.name)) fields.set(f.name, f.type);
  return [...fields].map(([name, type]) => ({ name, type }));
}

/** A version naming exactly the files read: the file's own version when there is one file, else a digest of all. */
function tableVersion(batches: readonly BatchRecord[]): string {
  const files = batches.flatMap((b) => b.files);
  if (files.length === 1) return files[0]!.versionId ?? files[0]!.etag;
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.key}@${f.versionId ?? f.etag}\n`);
  return hash.digest('hex').slice(0, 32);
}

/** The lineage input a table read is recorded as (by the step context, and again by a sharded scoring run's gather). */
export function tableObservation(read: TableRead): DatasetObservation {
  return {
    ...(read.version ? { version: read.version } : {}),
    ...(read.fields.length > 0 ? { fields: read.fields } : {}),
    rowCount: read.rows,
    bytes: read.bytes,
    fileCount: read.files,
    partitions: read.batches.map((b) => batchPartition(b.batch)),
  };
}
