// Public surface of Sluice's CDK constructs.
export { DataPipeline, type DataPipelineProps } from './data-pipeline.ts';
export { stepAccess, type StepAccess, type PrefixRef } from './step-access.ts';
export { renameBuckets, specBuckets } from '../definition/spec-buckets.ts';
export { LINEAGE_OUTBOX_PREFIX } from './pipeline-buckets.ts';
export { FUNCTION_ENTRIES, type SluiceFunctionName } from './lambda-bundling.ts';
