import { z } from 'zod';
import { DIRECT_SUBTYPES, INDIRECT_SUBTYPES } from '../../core/column-transformations.ts';
import { ColumnSpecSchema } from './columns.ts';
import { BucketNameSchema, ColumnNameSchema, IdentifierSchema, KeyPrefixSchema, NamespaceSchema } from './names.ts';
import { DataTestRuleSchema } from './rules.ts';

const DatasetRef = IdentifierSchema;

const DatasetBase = {
  bucket: BucketNameSchema,
  prefix: KeyPrefixSchema,
  format: z.enum(['csv', 'jsonl', 'parquet'], { error: (i) => `expected "csv", "jsonl" or "parquet", got ${JSON.stringify(i.input)}` }),
  description: z.string().optional(),
  /** How a CSV dataset is written; defaults: comma, double quote, quote doubled as escape, a header line. */
  csv: z
    .strictObject({
      delimiter: z.string().length(1, 'expected one character').optional(),
      quote: z.string().length(1, 'expected one character').optional(),
      escape: z.string().length(1, 'expected one character').optional(),
      header: z.boolean().optional(),
    })
    .optional(),
  tests: z.array(DataTestRuleSchema).optional(),
};

/** A dataset as written in a definition: its columns may be given as a zod object schema. */
export const DatasetDefinitionSchema = z.strictObject({ ...DatasetBase, schema: z.unknown().optional() });
/** A dataset in the compiled, plain-JSON spec. */
export const DatasetSpecSchema = z.strictObject({ ...DatasetBase, columns: z.array(ColumnSpecSchema).optional() });
/** A dataset in the compiled spec. */
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;

/** What starts a run: an object landing under a dataset's prefix, or a schedule. */
export const TriggerSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('upload'), dataset: DatasetRef }),
    z.strictObject({
      kind: z.literal('schedule'),
      name: IdentifierSchema,
      cron: z.string({ error: 'required' }).refine(isEventBridgeCron, {
        error: (i) => `expected an EventBridge cron expression of 6 fields like "cron(0 6 * * ? *)", got ${JSON.stringify(i.input)}`,
      }),
      startAt: IdentifierSchema.optional(),
    }),
  ],
  { error: (i) => `expected kind "upload" or "schedule", got ${JSON.stringify((i.input as { kind?: unknown })?.kind)}` },
);
/** A trigger. */
export type Trigger = z.infer<typeof TriggerSchema>;

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

const StepBase = {
  name: IdentifierSchema,
  timeoutSeconds: z.int().min(1).max(900).optional(),
};

/** A step of one of the four kinds. */
export const StepSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ ...StepBase, kind: z.literal('ingest'), input: DatasetRef, output: DatasetRef, rejects: DatasetRef }),
    z.strictObject({
      ...StepBase,
      kind: z.literal('dataTests'),
      dataset: DatasetRef,
      publishTo: DatasetRef,
      quarantineTo: DatasetRef,
    }),
    z.strictObject({
      ...StepBase,
      kind: z.literal('featureBuild'),
      inputs: z.record(ColumnNameSchema, DatasetRef).refine((m) => Object.keys(m).length > 0, 'expected at least one input'),
      sql: z.string({ error: 'required' }).trim().min(1, 'required'),
      output: DatasetRef,
      /** Constants bound as `$name` parameters, besides `$nominal_time`, `$nominal_date` and `$batch_id`. */
      params: z.record(ColumnNameSchema, z.union([z.string(), z.number(), z.boolean()])).optional(),
      /** Incremental windows: an input alias reads only the partitions of its last `days` days. */
      windows: z.record(ColumnNameSchema, z.strictObject({ days: z.int().min(1).max(3660) })).optional(),
      /** A TypeScript transform applied to the SQL result: the name of a function exported by the pipeline module. */
      transform: IdentifierSchema.optional(),
      /** Column lineage declared by the user, used instead of the lineage derived from the SQL. */
      columnLineage: DeclaredColumnLineageSchema.optional(),
    }),
    z.strictObject({
      ...StepBase,
      kind: z.literal('batchScore'),
      input: DatasetRef,
      model: z.strictObject({
        bucket: BucketNameSchema,
        key: z.string({ error: 'required' }).min(1, 'required'),
        source: z.string().optional(),
      }),
      entityKey: ColumnNameSchema,
      threshold: z.number().min(0).max(1).default(0.5),
      output: DatasetRef,
    }),
  ],
  {
    error: (i) =>
      `expected kind "ingest", "dataTests", "featureBuild" or "batchScore", got ${JSON.stringify((i.input as { kind?: unknown })?.kind)}`,
  },
);
/** A step. */
export type Step = z.infer<typeof StepSchema>;
/** The kinds of step. */
export type StepKind = Step['kind'];

const PipelineBase = {
  name: IdentifierSchema,
  namespace: NamespaceSchema.optional(),
  description: z.string().optional(),
  triggers: z.array(TriggerSchema).min(1, 'expected at least one trigger'),
  steps: z.array(StepSchema).min(1, 'expected at least one step'),
};

/** A pipeline as written by the user. */
export const PipelineDefinitionSchema = z.strictObject({
  ...PipelineBase,
  datasets: z.record(IdentifierSchema, DatasetDefinitionSchema),
});
/** A pipeline definition as written by the user. */
export type PipelineDefinition = z.input<typeof PipelineDefinitionSchema>;

/** The compiled pipeline: plain JSON, the single source for the ASL, the CDK app and the handlers. */
export const PipelineSpecSchema = z.strictObject({
  ...PipelineBase,
  namespace: NamespaceSchema,
  datasets: z.record(IdentifierSchema, DatasetSpecSchema),
});
/** The compiled pipeline spec. */
export type PipelineSpec = z.infer<typeof PipelineSpecSchema>;

const CRON_FIELD = /^[0-9A-Za-z*?,/#L W-]+$/;

/** True for an EventBridge cron: `cron(min hour day-of-month month day-of-week year)` or the 6 bare fields. */
export function isEventBridgeCron(value: string): boolean {
  const body = /^cron\((.*)\)$/.exec(value.trim())?.[1] ?? value.trim();
  const fields = body.split(/\s+/);
  if (fields.length !== 6 || !fields.every((f) => CRON_FIELD.test(f))) return false;
  // EventBridge requires "?" in exactly one of day-of-month and day-of-week.
  return (fields[2] === '?') !== (fields[4] === '?');
}
