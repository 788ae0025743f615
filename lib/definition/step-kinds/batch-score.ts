import { z } from 'zod';
import { BucketNameSchema, ColumnNameSchema } from '../names.ts';
import { DatasetRefSchema, STEP_BASE, type StepKindDefinition } from './step-kind.ts';

/** A batch-scoring step: scores a features dataset with a model artifact, writing predictions. */
export const BatchScoreStepSchema = z.strictObject({
  ...STEP_BASE,
  kind: z.literal('batchScore'),
  input: DatasetRefSchema,
  model: z.strictObject({
    bucket: BucketNameSchema,
    key: z.string({ error: 'required' }).min(1, 'required'),
    source: z.string().optional(),
  }),
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
  lambda: { entry: 'functions/batch-score/index.ts', arnVariable: 'BatchScoreFunctionArn', duckdb: true, memoryMb: 1769 },
  reads: (step) => [step.input],
  writes: (step) => [step.output],
  artifacts: (step) => [
    { bucket: step.model.bucket, key: step.model.key, ...(step.model.source === undefined ? {} : { source: step.model.source }) },
  ],
  renameBuckets: (step, rename) => ({ ...step, model: { ...step.model, bucket: rename(step.model.bucket) } }),
  check(step, at) {
    if (at.dataset(['input'], step.input)) at.column(['entityKey'], step.input, step.entityKey);
    at.parquet(['output'], step.output, 'predictions are Parquet');
  },
  report: [],
};
