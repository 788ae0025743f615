// The local runner, a separate entry (`sluice/local`) so that importing the definition API loads no S3 server or handlers.
export { runLocal, type RunLocalOptions, type RunReport, type StepReport, type RunProgress } from './run-local.ts';
export { formatCatalogHint, formatRunReport, printProgress } from './format-report.ts';
// Local runs a kill left open in lineage, closed (ABORT) by the next run or by `sluice lineage close-killed`.
export { closeKilledLocalRuns, type ClosedRun } from './run-markers.ts';
// The checks sluice validate and every local run do before data moves (DuckDB-bound SQL, model files).
export { checkBeforeRun, type PreRunReport } from '../steps/check-before-run.ts';
// The deployed pipeline's lineage outbox (an S3 prefix), so `sluice lineage replay|status` can work on it from a laptop.
export { LINEAGE_OUTBOX_ENV, S3Outbox } from '../runtime/lineage/s3-outbox.ts';
export { DEFAULT_STATE_DIR, stateDirLayout, type StateDirLayout } from '../../core/state-dir.ts';
// Looking at what runs left: datasets and their batches, rows through DuckDB, on a state directory or on S3.
export { openStoredObjects, type StoredObjects } from './explore/stored-objects.ts';
export { pickDataset, pipelineDatasets, scannedDatasets, type DatasetState, type StoredDataset } from './explore/find-datasets.ts';
export { queryDataset, type DatasetQuery, type DatasetRows } from './explore/dataset-query.ts';
export { bytesText, datasetTotals, formatDatasets, formatRows, rowsCsv } from './explore/format-explore.ts';
// Point-in-time correct training sets from feature tables (`sluice training-set`).
export {
  buildTrainingSet,
  type TrainingSetOptions,
  type TrainingSetReport,
  type TrainingSetFeatures,
} from './training-set/training-set.ts';
export { backfillTrigger, type BackfillOptions } from './backfill-input.ts';
export type { BackfillReport, BackfillObject } from './backfill-report.ts';
