// Public surface of Sluice's CDK constructs.
export { DataPipeline, type DataPipelineProps } from './data-pipeline.ts';
export { stepAccess, specBuckets, renameBuckets, type StepAccess, type PrefixRef } from './step-access.ts';
export { LINEAGE_OUTBOX_PREFIX } from './pipeline-buckets.ts';
export { FUNCTION_ENTRIES, type SluiceFunctionName } from './lambda-bundling.ts';
