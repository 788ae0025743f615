import { z } from 'zod';
import { BucketNameSchema, ColumnNameSchema } from '../names.ts';
import { DatasetRefSchema, STEP_BASE, type StepKindDefinition } from './step-kind.ts';

/** A model file in S3 (Sluice's linear JSON or XGBoost's JSON), with the local file that stands for it in local runs. */
export const S3ModelSchema = z.strictObject({
  registry: z.undefined().optional(),
  bucket: BucketNameSchema,
  key: z.string({ error: 'required' }).min(1, 'required'),
  source: z.string().optional(),
});

/** MLflow's rule for aliases: letters, digits, `_` and `-`, not `latest` and not a version-like `v<n>`. */
const MLFLOW_ALIAS = /^[A-Za-z0-9_-]{1,255}$/;

/** A registered model of an MLflow model registry, by alias (it moves) or version (it does not). */
export const MlflowModelSchema = z
  .strictObject({
    registry: z.literal('mlflow'),
    /** The registered model's name. */
    name: z.string({ error: 'required' }).trim().min(1, 'required').max(256, 'expected at most 256 characters'),
    /** An alias such as `champion`, resolved to a version at every run. */
    alias: z
      .string()
      .regex(MLFLOW_ALIAS, {
        error: (i) => `expected an MLflow alias of letters, digits, "_" or "-", got ${JSON.stringify(i.input)}`,
      })
      .refine((a) => a.toLowerCase() !== 'latest' && !/^v\d+$/i.test(a), {
        error: (i) => `${JSON.stringify(i.input)} is reserved by MLflow (latest and v<number> name versions, not aliases)`,
      })
      .optional(),
    /** A version number, pinned. */
    version: z
      .union(
        [
          z.int().positive({ error: (i) => `expected a version number such as 3, got ${JSON.stringify(i.input)}` }),
          z.string().regex(/^[1-9][0-9]*$/, { error: (i) => `expected a version number such as 3, got ${JSON.stringify(i.input)}` }),
        ],
        { error: (i) => `expected a version number such as 3, got ${JSON.stringify(i.input)}` },
      )
      .transform(String)
      .optional(),
  })
  .refine((m) => (m.alias === undefined) !== (m.version === undefined), {
    error: 'expected exactly one of alias (e.g. "champion") or version (e.g. 3)',
    path: ['alias'],
  });
/** A registered MLflow model. */
export type MlflowModel = z.infer<typeof MlflowModelSchema>;

/** Where a scoring step's model comes from: an S3 object, or a model registry. */
export const ModelSchema = z.discriminatedUnion('registry', [S3ModelSchema, MlflowModelSchema], {
  error: (i) =>
    `expected { bucket, key } or { registry: "mlflow", name, alias | version }, got registry ${JSON.stringify((i.input as { registry?: unknown })?.registry)}`,
});
/** A scoring step's model. */
export type ModelSpec = z.infer<typeof ModelSchema>;

/** A batch-scoring step: scores a features dataset with a model artifact, writing predictions. */
export const BatchScoreStepSchema = z.strictObject({
  ...STEP_BASE,
  kind: z.literal('batchScore'),
  input: DatasetRefSchema,
  model: ModelSchema,
  entityKey: ColumnNameSchema,
  threshold: z.number().min(0).max(1).default(0.5),
  output: DatasetRefSchema,
});
/** A batch-scoring step. */
export type BatchScoreStep = z.infer<typeof BatchScoreStepSchema>;

/** The batch-score kind. */
export const batchScoreKind: StepKindDefinition<BatchScoreStep> = {
  schema: BatchScoreStepSchema,
  label: 'batch score',
  summary: 'scores features with the model artifact',
  lambda: { entry: 'functions/batch-score/index.ts', arnVariable: 'BatchScoreFunctionArn', duckdb: true, memoryMb: 1024 },
  reads: (step) => [step.input],
  writes: (step) => [step.output],
  artifacts: (step) =>
    step.model.registry === 'mlflow'
      ? []
      : [{ bucket: step.model.bucket, key: step.model.key, ...(step.model.source === undefined ? {} : { source: step.model.source }) }],
  renameBuckets: (step, rename) =>
    step.model.registry === 'mlflow' ? step : { ...step, model: { ...step.model, bucket: rename(step.model.bucket) } },
  check(step, at) {
    if (at.dataset(['input'], step.input)) at.column(['entityKey'], step.input, step.entityKey);
    at.parquet(['output'], step.output, 'predictions are Parquet');
  },
  report: [],
};
