import { z } from 'zod';
import { DatasetRefSchema, STEP_BASE, type StepKindDefinition } from './step-kind.ts';

/** An ingest step: types an uploaded object (CSV, JSON Lines, Parquet) into staged Parquet, keeping rejected rows. */
export const IngestStepSchema = z.strictObject({
  ...STEP_BASE,
  kind: z.literal('ingest'),
  input: DatasetRefSchema,
  output: DatasetRefSchema,
  rejects: DatasetRefSchema,
});
/** An ingest step. */
export type IngestStep = z.infer<typeof IngestStepSchema>;

/** The ingest kind. */
export const ingestKind: StepKindDefinition<IngestStep> = {
  schema: IngestStepSchema,
  label: 'ingest',
  summary: 'types a raw upload into staged Parquet and rejected rows',
  lambda: { entry: 'functions/ingest/index.ts', arnVariable: 'IngestFunctionArn', duckdb: true, memoryMb: 512 },
  reads: (step) => [step.input],
  writes: (step) => [step.output, step.rejects],
  passesColumns: (step) => [[step.output, step.input]],
  check(step, at) {
    at.dataset(['input'], step.input);
    at.parquet(['output'], step.output, 'ingest writes Parquet');
    at.parquet(['rejects'], step.rejects, 'ingest writes rejected rows as Parquet');
  },
  readsUploads: true,
  scheduleStartProblem: 'a schedule has no uploaded batch to ingest',
  report: ['rejected'],
  roles: (step) => ({ [step.output]: 'staged', [step.rejects]: 'rejected' }),
};
