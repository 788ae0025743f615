import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { ident, type DuckDb } from '../runtime/duckdb.ts';

/** A column as DuckDB types it. */
export interface Field {
  readonly name: string;
  readonly type: string;
}

/**
 * What a step kind's pre-run checks work with: the spec, the columns each dataset is known to have (declared, passed
 * on, or what an earlier feature step's SQL produces), a DuckDB with nothing in it, and where to report.
 */
export interface CheckContext {
  readonly spec: PipelineSpec;
  /** Directory that `model.source` paths are relative to (the pipeline file's). */
  readonly baseDir: string;
  /** The columns of a dataset, when known. */
  columns(ref: string): readonly Field[] | undefined;
  /** Why a dataset's columns are not known before the run (`dataset "x" declares no schema`). */
  unknownColumns(ref: string): string;
  /** Records the columns a step will write to a dataset, for the checks of later steps. */
  produces(ref: string, fields: readonly Field[]): void;
  /** A problem at a path of the spec (`['steps', 2, 'sql']`). */
  problem(path: readonly PropertyKey[], message: string): void;
  /** A check that could not run at a path, and why. */
  notChecked(path: readonly PropertyKey[], why: string): void;
  /** A fresh in-memory DuckDB for this step's checks (closed by the caller). */
  duckdb(): Promise<DuckDb>;
}

/** A step kind's checks that need more than the definition: DuckDB binding its SQL, its model file. */
export type PreRunCheck<S> = (step: S, index: number, context: CheckContext) => Promise<void>;

/** Creates an empty table with the given columns, optionally with the `batch` column tables get when a step reads them. */
export async function emptyTable(db: DuckDb, name: string, fields: readonly Field[], batchColumn?: string): Promise<void> {
  const columns = fields.map((f) => `${ident(f.name)} ${f.type}`);
  if (batchColumn && !fields.some((f) => f.name === batchColumn)) columns.push(`${ident(batchColumn)} VARCHAR`);
  await db.run(`CREATE OR REPLACE TABLE ${ident(name)} (${columns.join(', ')})`);
}

/** An error's message on one line, without DuckDB's `LINE n:` snippet (its candidate bindings are kept). */
export function firstLine(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).trim();
  return (message.split(/\n\s*\nLINE \d+:|\nLINE \d+:/)[0] ?? message).replace(/\s+/g, ' ').trim();
}
