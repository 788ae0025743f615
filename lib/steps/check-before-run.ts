import { formatPath } from '../../core/issues.ts';
import type { PipelineSpec, Step } from '../definition/pipeline-schema.ts';
import { kindOf } from '../definition/step-kinds/index.ts';
import { DUCKDB_TYPES, openDuckDb, type DuckDb } from '../runtime/duckdb.ts';
import type { CheckContext, Field, PreRunCheck } from './check-context.ts';
import { PRE_RUN_CHECKS } from './pre-run-checks.ts';

/** What the checks before a run found: problems (path-named, like definePipeline's) and checks that could not run. */
export interface PreRunReport {
  readonly problems: string[];
  readonly notChecked: string[];
}

/**
 * Everything that can be checked before data moves, beyond the definition itself: feature SQL and `sql` rules bound
 * by DuckDB against empty tables of the declared columns, referential rules' column types, model files and their fit.
 * Steps are checked in order, so a feature step's result columns are known to the steps after it. Lives here, not in
 * the (pure) definition layer, because it needs DuckDB and the step kinds' own SQL.
 */
export async function checkBeforeRun(
  spec: PipelineSpec,
  options: {
    readonly baseDir: string;
    /** Problems the definition already has: the parts they name are not checked again (their references may be broken). */
    readonly definitionProblems?: readonly string[];
  },
): Promise<PreRunReport> {
  const broken = (path: readonly PropertyKey[]): boolean => {
    const prefix = formatPath(path);
    return (options.definitionProblems ?? []).some((p) => [`${prefix}.`, `${prefix}:`, `${prefix}[`].some((start) => p.startsWith(start)));
  };
  const problems: string[] = [];
  const notChecked: string[] = [];
  const { known, unknownColumns } = declaredColumns(spec);
  for (const [index, step] of spec.steps.entries()) {
    const check = PRE_RUN_CHECKS[step.kind] as PreRunCheck<Step> | undefined;
    let db: Promise<DuckDb> | undefined;
    const context: CheckContext = {
      spec,
      baseDir: options.baseDir,
      columns: (ref) => known.get(ref),
      unknownColumns,
      produces: (ref, fields) => {
        if (!spec.datasets[ref]?.columns) known.set(ref, fields);
      },
      problem: (path, message) => {
        if (!broken(path)) problems.push(`${formatPath(path)}: ${message}`);
      },
      notChecked: (path, why) => {
        if (!broken(path)) notChecked.push(`${formatPath(path)}: ${why}`);
      },
      duckdb: () => (db ??= openDuckDb({ threads: 1 })),
    };
    try {
      if (!broken(['steps', index])) await check?.(step, index, context);
    } finally {
      if (db) (await db).close();
    }
    for (const [to, from] of kindOf(step).passesColumns?.(step) ?? []) {
      const columns = known.get(from);
      if (!known.has(to) && columns) known.set(to, columns);
    }
  }
  return { problems, notChecked };
}

/**
 * The columns each dataset is known to have before a run: declared or passed on by definePipeline, except where an
 * upload keeps undeclared columns (`extraColumns: "keep"`), which makes its staged and published tables wider than any
 * schema says. `unknownColumns` says why a dataset has none.
 */
function declaredColumns(spec: PipelineSpec): { known: Map<string, readonly Field[]>; unknownColumns: (ref: string) => string } {
  const known = new Map<string, readonly Field[]>();
  for (const [ref, dataset] of Object.entries(spec.datasets)) {
    if (dataset.columns)
      known.set(
        ref,
        dataset.columns.map((c) => ({ name: c.name, type: DUCKDB_TYPES[c.type] })),
      );
  }
  const widenedBy = new Map<string, string>();
  for (const [ref, dataset] of Object.entries(spec.datasets)) if (dataset.extraColumns === 'keep') widenedBy.set(ref, ref);
  for (const step of spec.steps) {
    for (const [to, from] of kindOf(step).passesColumns?.(step) ?? []) {
      const upload = widenedBy.get(from);
      if (upload !== undefined) widenedBy.set(to, upload);
    }
  }
  for (const ref of widenedBy.keys()) known.delete(ref);
  const unknownColumns = (ref: string): string => {
    const upload = widenedBy.get(ref);
    return upload === undefined
      ? `dataset ${JSON.stringify(ref)} declares no schema`
      : `dataset ${JSON.stringify(ref)} has the undeclared columns its upload keeps (datasets.${upload}.extraColumns: "keep")`;
  };
  return { known, unknownColumns };
}
