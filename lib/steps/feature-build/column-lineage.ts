import { facets } from '../../../lineage/index.ts';
import { SluiceError } from '../../../core/errors.ts';
import { literal, type DuckDb } from '../../runtime/duckdb.ts';
import type { DeclaredColumnLineage } from '../../definition/step-kinds/index.ts';
import { deriveLineage, LineageUnsupported, type QueryLineage } from './sql-lineage.ts';
import { INDIRECT_SUBTYPES } from '../../../core/column-transformations.ts';

/** One input of a feature build as lineage names it, with the columns it actually has. */
export interface LineageInput {
  readonly namespace: string;
  readonly name: string;
  readonly columns: readonly string[];
}

const INDIRECT: ReadonlySet<string> = new Set(INDIRECT_SUBTYPES);

/** The statement as DuckDB's parser serialises it, or the parser's error with its character offset. */
export async function serializeSql(
  db: DuckDb,
  sql: string,
): Promise<{ statements?: Array<Record<string, unknown>>; error?: string; position?: number }> {
  const [row] = await db.all(`SELECT json_serialize_sql(${literal(sql)}) AS j`);
  const json = JSON.parse(String(row?.j)) as Record<string, unknown>;
  if (json.error)
    return {
      error: `${String(json.error_type)} error: ${String(json.error_message)}`,
      position: json.position === undefined ? undefined : Number(json.position),
    };
  return { statements: json.statements as Array<Record<string, unknown>> };
}

// DuckDB's aggregate functions, listed once per process: listing every function costs tens of milliseconds each time.
let aggregateNames: Promise<ReadonlySet<string>> | undefined;

function aggregateFunctions(db: DuckDb): Promise<ReadonlySet<string>> {
  aggregateNames ??= db
    .all(`SELECT DISTINCT lower(function_name) AS f FROM duckdb_functions() WHERE function_type = 'aggregate'`)
    .then((rows) => new Set(rows.map((r) => String(r.f))));
  aggregateNames.catch(() => (aggregateNames = undefined));
  return aggregateNames;
}

/**
 * The `columnLineage` facet of a feature build's output: derived from the SQL by DuckDB's parser, or the
 * user's declaration. Either is checked against the input and output schemas. Returns the reason instead
 * when the SQL is beyond what is derived and nothing was declared.
 */
export async function featureColumnLineage(
  db: DuckDb,
  options: {
    sql: string;
    step: string;
    inputs: ReadonlyMap<string, LineageInput>;
    outputColumns: readonly string[];
    declared?: DeclaredColumnLineage;
  },
): Promise<{ facet: facets.ColumnLineageDatasetFacet } | { unsupported: string }> {
  const { inputs, outputColumns } = options;
  const source = (alias: string, column: string): { namespace: string; name: string; field: string } => {
    const input = inputs.get(alias);
    if (!input)
      throw new SluiceError(
        'FEATURE_LINEAGE',
        `column lineage names input ${JSON.stringify(alias)}, which is not an input (inputs: ${[...inputs.keys()].join(', ')})`,
      );
    if (!input.columns.includes(column)) {
      throw new SluiceError(
        'FEATURE_LINEAGE',
        `column lineage names ${alias}.${column}, which is not a column of ${input.name} (columns: ${input.columns.join(', ')})`,
      );
    }
    return { namespace: input.namespace, name: input.name, field: column };
  };
  const split = (from: string): [string, string] => [from.slice(0, from.indexOf('.')), from.slice(from.indexOf('.') + 1)];

  if (options.declared) {
    const fields: Record<string, { inputFields: facets.ColumnLineageInputField[] }> = {};
    for (const [field, sources] of Object.entries(options.declared.fields)) {
      if (!outputColumns.includes(field)) {
        throw new SluiceError(
          'FEATURE_LINEAGE',
          `declared column lineage names output column ${field}, which the step does not write (columns: ${outputColumns.join(', ')})`,
        );
      }
      fields[field] = {
        inputFields: sources.map((s) => ({
          ...source(...split(s.from)),
          transformations: [{ type: INDIRECT.has(s.subtype) ? 'INDIRECT' : 'DIRECT', subtype: s.subtype }],
        })),
      };
    }
    const dataset = (options.declared.dataset ?? []).map((s) => ({
      ...source(...split(s.from)),
      transformations: [{ type: 'INDIRECT', subtype: s.subtype }],
    }));
    return { facet: facets.columnLineageDatasetFacet({ fields, ...(dataset.length ? { dataset } : {}) }) };
  }

  let derived: QueryLineage;
  try {
    const parsed = await serializeSql(db, options.sql);
    if (!parsed.statements || parsed.statements.length !== 1) return { unsupported: 'the SQL is not a single SELECT statement' };
    const aggregates = await aggregateFunctions(db);
    derived = deriveLineage(
      parsed.statements[0] as Record<string, unknown>,
      new Map([...inputs].map(([alias, i]) => [alias, i.columns])),
      aggregates,
    );
  } catch (error) {
    if (error instanceof LineageUnsupported) return { unsupported: error.message };
    throw error;
  }
  if (derived.columns.length !== outputColumns.length) {
    return { unsupported: `derived ${derived.columns.length} columns but the query wrote ${outputColumns.length}` };
  }
  const fields: Record<string, { inputFields: facets.ColumnLineageInputField[] }> = {};
  derived.columns.forEach((c, i) => {
    const byKey = new Map<string, facets.ColumnLineageInputField & { transformations: facets.ColumnTransformation[] }>();
    const add = (key: string, t: facets.ColumnTransformation): void => {
      const entry = byKey.get(key) ?? { ...source(...split(key)), transformations: [] };
      entry.transformations.push(t);
      byKey.set(key, entry);
    };
    for (const [key, d] of c.lineage.direct) add(key, { type: 'DIRECT', subtype: d.subtype, ...(d.masking ? { masking: true } : {}) });
    for (const [key, set] of c.lineage.indirect) for (const subtype of set) add(key, { type: 'INDIRECT', subtype });
    fields[outputColumns[i] as string] = { inputFields: [...byKey.values()] };
  });
  const dataset = [...derived.dataset].map(([key, set]) => ({
    ...source(...split(key)),
    transformations: [...set].map((subtype) => ({ type: 'INDIRECT', subtype })),
  }));
  return { facet: facets.columnLineageDatasetFacet({ fields, ...(dataset.length ? { dataset } : {}) }) };
}
