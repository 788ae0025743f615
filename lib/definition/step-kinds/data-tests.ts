import { z } from 'zod';
import { metricsHistoryPrefix } from '../storage-layout.ts';
import { DatasetRefSchema, STEP_BASE, type SpecDatasets, type StepKindDefinition } from './step-kind.ts';

/** A data-test step: audits a staged batch with its dataset's rules, then publishes or quarantines it. */
export const DataTestsStepSchema = z.strictObject({
  ...STEP_BASE,
  kind: z.literal('dataTests'),
  dataset: DatasetRefSchema,
  publishTo: DatasetRefSchema,
  quarantineTo: DatasetRefSchema,
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
  // Drift rules keep the published batches' statistics next to the published dataset.
  access(step, spec) {
    const published = spec.datasets[step.publishTo];
    if (!published) return {};
    const history = metricsHistoryPrefix(published);
    return { reads: [history], writes: [history] };
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
