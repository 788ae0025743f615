// Public surface of Sluice's CDK constructs.
export { DataPipeline, type DataPipelineProps } from './data-pipeline.ts';
export { stepAccess, type StepAccess, type PrefixRef } from './step-access.ts';
export { renameBuckets, specBuckets } from '../definition/spec-buckets.ts';
export { LINEAGE_OUTBOX_PREFIX } from './pipeline-buckets.ts';
export { FUNCTION_ENTRIES, type SluiceFunctionName } from './lambda-bundling.ts';
export { deployPipelines, type DeployPipelinesOptions } from './deploy-pipelines.ts';
export { loadPipelines, type PipelineModule } from './load-pipelines.ts';
export { PipelineStack, type PipelineStackProps } from './pipeline-stack.ts';
export { SUPPORTED_RUNTIMES, type MlflowRegistryProps } from './data-pipeline-props.ts';
