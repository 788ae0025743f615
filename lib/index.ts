export { SluiceError, isSluiceError } from './errors.ts';
export { definePipeline, parsePipelineSpec, PipelineDefinitionError, DEFAULT_NAMESPACE } from './spec/define-pipeline.ts';
export type { PipelineDefinition, PipelineSpec, DatasetSpec, Step, StepKind, Trigger } from './spec/pipeline-schema.ts';
export type { DataTestRule, DataTestRuleInput } from './spec/rules.ts';
export { column, type ColumnSpec, type ColumnType } from './spec/columns.ts';
export { compileAsl, substituteAsl, FUNCTION_ARN_VARIABLES, type AslDocument } from './spec/compile-asl.ts';
export type { StepInvocation, StepResult, TriggerInput } from './spec/step-invocation.ts';
export type { FeatureTable, FeatureTransform } from './spec/feature-transform.ts';
