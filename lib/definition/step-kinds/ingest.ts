import { z } from 'zod';
import type { DatasetSpec } from '../dataset-schema.ts';
import { extraColumnsOf } from '../dataset-semantics.ts';
import { ingestPartsPrefix } from '../storage-layout.ts';
import { DatasetRefSchema, STEP_BASE, type StepKindDefinition } from './step-kind.ts';

const wholeBytes = (what: string) =>
  z.number().multipleOf(1, `expected ${what} as a whole number of bytes`).positive(`expected ${what} as a number of bytes > 0`);

/**
 * When and how an uploaded CSV or JSON Lines object is ingested in parts, in parallel (a Distributed Map): objects
 * larger than `above` bytes are cut at record starts about every `size` bytes, `concurrency` parts at a time.
 */
export const IngestPartsSchema = z.strictObject({
  above: wholeBytes('the size above which an object is split').optional(),
  size: wholeBytes('the size of a part')
    .min(1024, 'expected a part size of at least 1024 bytes')
    .max(1024 ** 3, "expected a part size of at most 1 GiB (a part's bytes and its Parquet must fit the function's /tmp)")
    .optional(),
  concurrency: z
    .number()
    .multipleOf(1, 'expected a whole number of parts at once')
    .min(1, 'expected at least 1 part at once')
    .max(1000, 'expected at most 1000 parts at once')
    .optional(),
});

/** An ingest step: types an uploaded object (CSV, JSON Lines, Parquet) into staged Parquet, keeping rejected rows. */
export const IngestStepSchema = z.strictObject({
  ...STEP_BASE,
  kind: z.literal('ingest'),
  input: DatasetRefSchema,
  output: DatasetRefSchema,
  rejects: DatasetRefSchema,
  /** Large objects in parts: defaults {@link DEFAULT_INGEST_PARTS}. */
  parts: IngestPartsSchema.optional(),
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
  // The plan of a large object's parts and each part's counts, beside the staged dataset, outside its prefix.
  access: (step, spec) => {
    const output = spec.datasets[step.output];
    return output ? { reads: [ingestPartsPrefix(output)], writes: [ingestPartsPrefix(output)] } : {};
  },
  passesColumns: (step) => [[step.output, step.input]],
  check(step, at) {
    const input = at.dataset(['input'], step.input);
    const why = input && step.parts ? unsplittable(input) : undefined;
    if (why) at.problem(['parts'], `dataset ${JSON.stringify(step.input)} ${why}; remove parts, or ingest such uploads whole`);
    at.parquet(['output'], step.output, 'ingest writes Parquet');
    at.parquet(['rejects'], step.rejects, 'ingest writes rejected rows as Parquet');
  },
  readsUploads: true,
  scheduleStartProblem: 'a schedule has no uploaded batch to ingest',
  report: ['rejected'],
  roles: (step) => ({ [step.output]: 'staged', [step.rejects]: 'rejected' }),
};

/** Objects above 1 GiB are split into parts of about 256 MiB, 8 ingested at once. */
export const DEFAULT_INGEST_PARTS = { above: 1024 ** 3, size: 256 * 1024 ** 2, concurrency: 8 } as const;

/** A step's parts settings with the defaults filled in. */
export function ingestPartsOf(step: IngestStep): { above: number; size: number; concurrency: number } {
  return { ...DEFAULT_INGEST_PARTS, ...step.parts };
}

/**
 * Why uploads to a dataset cannot be ingested in parts, or nothing when they can: CSV, Parquet (by row groups), and
 * JSON Lines with declared columns whose undeclared fields are ignored (so every part stages the same columns).
 */
export function unsplittable(dataset: DatasetSpec): string | undefined {
  if (dataset.format === 'csv' || dataset.format === 'parquet') return undefined;
  if (dataset.format !== 'jsonl') return `is ${dataset.format}: only CSV, Parquet and JSON Lines uploads are split into parts`;
  if (!dataset.columns) return 'is JSON Lines without a schema: every part could stage other columns';
  if (extraColumnsOf(dataset) !== 'ignore') {
    return `is JSON Lines with extraColumns "${extraColumnsOf(dataset)}": only "ignore" stages the same columns from every part`;
  }
  return undefined;
}
