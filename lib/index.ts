export { SluiceError, isSluiceError } from '../core/errors.ts';
export { definePipeline, parsePipelineSpec, PipelineDefinitionError, DEFAULT_NAMESPACE } from './definition/define-pipeline.ts';
export type { PipelineDefinition, PipelineSpec, DatasetSpec, Step, StepKind, Trigger } from './definition/pipeline-schema.ts';
export type { DataTestRule, DataTestRuleInput } from './definition/rules.ts';
export { column, type ColumnSpec, type ColumnType } from './definition/columns.ts';
export { compileAsl, substituteAsl, FUNCTION_ARN_VARIABLES, type AslDocument } from './asl/compile-asl.ts';
export type { StepInvocation, StepResult, TriggerInput } from './asl/step-invocation.ts';
export type { FeatureTable, FeatureTransform } from './definition/feature-transform.ts';
