import { ident, literal, type DuckDb } from '../../runtime/duckdb.ts';

/** A staged file's column: its name and DuckDB type. */
export interface StagedField {
  readonly name: string;
  readonly type: string;
}

/**
 * The staged batch's columns when JSON Lines parts found different keys (no schema, or `extraColumns: "keep"`): the
 * whole object's columns in its order, each with the type the parts staged it as (text where no part had it).
 */
export function stagedLayout(columns: readonly string[], parts: ReadonlyArray<readonly StagedField[]>): StagedField[] {
  const types = new Map<string, string>();
  for (const fields of parts) for (const f of fields) if (!types.has(f.name)) types.set(f.name, f.type);
  return columns.map((name) => ({ name, type: types.get(name) ?? 'VARCHAR' }));
}

/** True when a part's staged file has exactly the batch's columns, in its order. */
export function hasLayout(fields: readonly StagedField[], layout: readonly StagedField[]): boolean {
  return fields.length === layout.length && fields.every((f, i) => f.name === layout[i]!.name);
}

/** Rewrites a part's staged file with the batch's columns, in order: a column the part did not have is all NULL. */
export async function alignStaged(
  db: DuckDb,
  from: string,
  fields: readonly StagedField[],
  layout: readonly StagedField[],
  to: string,
): Promise<void> {
  const has = new Set(fields.map((f) => f.name));
  const select = layout.map((f) => (has.has(f.name) ? ident(f.name) : `CAST(NULL AS ${f.type}) AS ${ident(f.name)}`)).join(', ');
  await db.run(`COPY (SELECT ${select} FROM read_parquet(${literal(from)})) TO ${literal(to)} (FORMAT parquet, COMPRESSION zstd)`);
}
