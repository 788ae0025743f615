// sluice/testing: run a pipeline locally inside a test and check its outputs and lineage.
export { testPipeline, type PipelineTestRun, type TestPipelineOptions } from './test-pipeline.ts';
export type { DatasetRow, DatasetRowsOptions } from './dataset-rows.ts';
export type { RunReport, StepReport } from '../local/run-local.ts';
export type { RunEvent } from '../../lineage/index.ts';
