import { z } from 'zod';
import { DIRECT_SUBTYPES, INDIRECT_SUBTYPES } from '../../../core/column-transformations.ts';
import { semanticsOf } from '../dataset-semantics.ts';
import { ColumnNameSchema, IdentifierSchema } from '../names.ts';
import { DatasetRefSchema, STEP_BASE, type StepCheck, type StepKindDefinition } from './step-kind.ts';

const LineageSource = z.string({ error: 'required' }).regex(/^[A-Za-z_][A-Za-z0-9_]*\.[^.]+$/, {
  error: (i) => `expected "<input alias>.<column>", got ${JSON.stringify(i.input)}`,
});

/** Column lineage as a user declares it: per output column its sources, plus dataset-wide influences. */
export const DeclaredColumnLineageSchema = z.strictObject({
  fields: z.record(
    z.string().min(1),
    z.array(z.strictObject({ from: LineageSource, subtype: z.enum([...DIRECT_SUBTYPES, ...INDIRECT_SUBTYPES]).default('TRANSFORMATION') })),
  ),
  dataset: z.array(z.strictObject({ from: LineageSource, subtype: z.enum(INDIRECT_SUBTYPES) })).optional(),
});
/** Declared column lineage. */
export type DeclaredColumnLineage = z.infer<typeof DeclaredColumnLineageSchema>;

/** A feature build: the user's SQL (or a TypeScript transform) over published inputs, written as a features dataset. */
export const FeatureBuildStepSchema = z.strictObject({
  ...STEP_BASE,
  kind: z.literal('featureBuild'),
  inputs: z.record(ColumnNameSchema, DatasetRefSchema).refine((m) => Object.keys(m).length > 0, 'expected at least one input'),
  sql: z.string({ error: 'required' }).trim().min(1, 'required'),
  output: DatasetRefSchema,
  /** Constants bound as `$name` parameters, besides `$nominal_time`, `$nominal_date` and `$batch_id`. */
  params: z.record(ColumnNameSchema, z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** Incremental windows: an input alias reads only the partitions of its last `days` days. */
  windows: z.record(ColumnNameSchema, z.strictObject({ days: z.int().min(1).max(3660) })).optional(),
  /** A TypeScript transform applied to the SQL result: the name of a function exported by the pipeline module. */
  transform: IdentifierSchema.optional(),
  /** Column lineage declared by the user, used instead of the lineage derived from the SQL. */
  columnLineage: DeclaredColumnLineageSchema.optional(),
});
/** A feature build step. */
export type FeatureBuildStep = z.infer<typeof FeatureBuildStepSchema>;

/** Parameters every feature build binds, so user params must not take their names. */
export const BUILT_IN_FEATURE_PARAMS = ['nominal_time', 'nominal_date', 'batch_id'] as const;

/** The feature-build kind. */
export const featureBuildKind: StepKindDefinition<FeatureBuildStep> = {
  schema: FeatureBuildStepSchema,
  label: 'feature build',
  summary: 'runs the feature SQL over published inputs',
  lambda: { entry: 'functions/feature-build/index.ts', arnVariable: 'FeatureBuildFunctionArn', duckdb: true, memoryMb: 512 },
  reads: (step) => [...new Set(Object.values(step.inputs))],
  writes: (step) => [step.output],
  check(step, at) {
    for (const [alias, ref] of Object.entries(step.inputs)) at.dataset(['inputs', alias], ref);
    at.parquet(['output'], step.output, 'feature builds write Parquet');
    checkFeatureReferences(step, at);
  },
  report: [],
};

/** Windows, params and declared lineage name the step's inputs and their columns: each name must exist. */
function checkFeatureReferences(step: FeatureBuildStep, at: StepCheck): void {
  const aliases = Object.keys(step.inputs);
  for (const alias of Object.keys(step.windows ?? {})) {
    const ref = step.inputs[alias];
    const dataset = ref === undefined ? undefined : at.spec.datasets[ref];
    if (ref === undefined)
      at.problem(['windows', alias], `${JSON.stringify(alias)} is not an input of this step (inputs: ${aliases.join(', ')})`);
    else if (dataset && semanticsOf(dataset).kind !== 'append') {
      at.problem(
        ['windows', alias],
        `a window reads the batches of recent days, so its dataset must be append; ${JSON.stringify(ref)} is ${dataset.featureTable ? 'a feature table' : semanticsOf(dataset).kind}`,
      );
    }
  }
  for (const name of Object.keys(step.params ?? {})) {
    if ((BUILT_IN_FEATURE_PARAMS as readonly string[]).includes(name)) {
      at.problem(['params', name], `$${name} is bound by Sluice (${BUILT_IN_FEATURE_PARAMS.map((p) => `$${p}`).join(', ')})`);
    }
  }
  const checkSource = (from: string, path: PropertyKey[]): void => {
    const alias = from.slice(0, from.indexOf('.'));
    const column = from.slice(from.indexOf('.') + 1);
    const ref = step.inputs[alias];
    if (ref === undefined) {
      at.problem(path, `${JSON.stringify(alias)} is not an input of this step (inputs: ${aliases.join(', ')})`);
      return;
    }
    const columns = at.spec.datasets[ref]?.columns;
    if (columns && !columns.some((c) => c.name === column)) {
      at.problem(path, `${JSON.stringify(column)} is not a column of input ${alias} (columns: ${columns.map((c) => c.name).join(', ')})`);
    }
  };
  for (const [field, sources] of Object.entries(step.columnLineage?.fields ?? {})) {
    sources.forEach((s, j) => checkSource(s.from, ['columnLineage', 'fields', field, j, 'from']));
  }
  step.columnLineage?.dataset?.forEach((s, j) => checkSource(s.from, ['columnLineage', 'dataset', j, 'from']));
}
