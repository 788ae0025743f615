import { z } from 'zod';
import { ingestPartsPrefix } from '../storage-layout.ts';
import { DatasetRefSchema, STEP_BASE, type StepKindDefinition } from './step-kind.ts';

const wholeBytes = (what: string) =>
  z.number().multipleOf(1, `expected ${what} as a whole number of bytes`).positive(`expected ${what} as a number of bytes > 0`);

/**
 * When and how an uploaded object is ingested in parts, in parallel (a Distributed Map): objects larger than `above`
 * bytes are cut about every `size` bytes (CSV and JSON Lines at record starts, Parquet after whole row groups),
 * `concurrency` parts at a time. Compressed objects are ingested whole.
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
    at.dataset(['input'], step.input);
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
