import { z } from 'zod';
import { metricsHistoryPrefix, TEST_PARTS_ROOT } from '../storage-layout.ts';
import { DatasetRefSchema, STEP_BASE, type SpecDatasets, type StepKindDefinition } from './step-kind.ts';

/** A whole number in [min, max], whose error names the value received. */
function wholeNumber(min: number, max: number) {
  const allowed = max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`;
  return z
    .int({ error: (i) => `expected ${allowed}, got ${JSON.stringify(i.input)}` })
    .min(min, { error: (i) => `expected ${allowed}, got ${String(i.input)}` })
    .max(max, { error: (i) => `expected ${allowed}, got ${String(i.input)}` });
}

/** Staged rows from which a data-test step audits its batch in parts, by default. */
export const DEFAULT_PARTS_MIN_ROWS = 20_000_000;

/**
 * When and how a data-test step audits a large staged batch in parts (a Distributed Map of its files, then one merge)
 * instead of in one scan; `false` keeps the single scan whatever the size.
 */
export const TestPartsSettingsSchema = z.strictObject({
  /** The writing step's row count from which the batch is audited in parts (it also needs at least two files). */
  minRows: wholeNumber(1, Number.MAX_SAFE_INTEGER).default(DEFAULT_PARTS_MIN_ROWS),
  /** Files of the staged batch each part audits (the Map's ItemBatcher). */
  filesPerPart: wholeNumber(1, 100).default(1),
  /** Parts audited at once (the Map's MaxConcurrency). */
  concurrency: wholeNumber(1, 10_000).default(40),
});
/** How a data-test step audits a large batch in parts. */
export type TestPartsSettings = z.infer<typeof TestPartsSettingsSchema>;

/** A data-test step: audits a staged batch with its dataset's rules, then publishes or quarantines it. */
export const DataTestsStepSchema = z.strictObject({
  ...STEP_BASE,
  kind: z.literal('dataTests'),
  dataset: DatasetRefSchema,
  publishTo: DatasetRefSchema,
  quarantineTo: DatasetRefSchema,
  /** Audit batches from `minRows` rows in parts; `false` never does. @default {minRows: 20000000, filesPerPart: 1, concurrency: 40} */
  parts: z.union([z.literal(false), TestPartsSettingsSchema]).optional(),
});
/** A data-test step. */
export type DataTestsStep = z.infer<typeof DataTestsStepSchema>;

/** Datasets a data-test step reads besides the batch: those its referential rules point at. */
export function referencedDatasets(spec: SpecDatasets, step: DataTestsStep): string[] {
  const tests = spec.datasets[step.dataset]?.tests ?? [];
  return [...new Set(tests.flatMap((r) => (r.rule === 'referential' ? [r.dataset] : [])))];
}

/** The data-tests kind. */
export const dataTestsKind: StepKindDefinition<DataTestsStep> = {
  schema: DataTestsStepSchema,
  label: 'data tests',
  summary: 'audits a staged batch, then publishes or quarantines it',
  lambda: { entry: 'functions/data-tests/index.ts', arnVariable: 'DataTestsFunctionArn', duckdb: true, memoryMb: 512 },
  reads: (step, spec) => [step.dataset, ...referencedDatasets(spec, step)],
  feeds: (step) => [step.dataset],
  writes: (step) => [step.publishTo, step.quarantineTo],
  // Drift rules keep the published batches' statistics next to the published dataset; parts leave their results for the merge.
  access(step, spec) {
    const published = spec.datasets[step.publishTo];
    if (!published) return {};
    const history = metricsHistoryPrefix(published);
    const staged = spec.datasets[step.dataset];
    const parts = staged && step.parts !== false ? [{ bucket: staged.bucket, prefix: TEST_PARTS_ROOT }] : [];
    return { reads: [history, ...parts], writes: [history, ...parts] };
  },
  passesColumns: (step) => [
    [step.publishTo, step.dataset],
    [step.quarantineTo, step.dataset],
  ],
  check(step, at) {
    at.parquet(['dataset'], step.dataset, 'data tests read staged Parquet');
    at.parquet(['publishTo'], step.publishTo, 'published batches are Parquet');
    at.parquet(['quarantineTo'], step.quarantineTo, 'quarantined batches are Parquet');
  },
  scheduleStartProblem: 'a schedule has no uploaded batch to audit',
  report: ['tests'],
  roles: (step) => ({ [step.publishTo]: 'published', [step.quarantineTo]: 'quarantined' }),
};
