import { BatchScoreStepSchema, batchScoreKind } from './batch-score.ts';
import { DataTestsStepSchema, dataTestsKind } from './data-tests.ts';
import { FeatureBuildStepSchema, featureBuildKind } from './feature-build.ts';
import { IngestStepSchema, ingestKind } from './ingest.ts';
import type { Artifact, ExtraAccess, OutputRole, SpecDatasets, StepKindDefinition } from './step-kind.ts';

/**
 * The step kinds, one entry each. A new kind is one entry here (and in {@link STEP_SCHEMAS}), a definition file
 * beside this one, its code in `lib/steps/<folder>/` and its Lambda entry in `functions/<folder>/`.
 */
export const STEP_KINDS = {
  ingest: ingestKind,
  dataTests: dataTestsKind,
  featureBuild: featureBuildKind,
  batchScore: batchScoreKind,
} as const;

/** The kinds' schemas, in the same order, for the definition's discriminated union. */
export const STEP_SCHEMAS = [IngestStepSchema, DataTestsStepSchema, FeatureBuildStepSchema, BatchScoreStepSchema] as const;

/** A step of any kind, as the registry's schemas define it. */
type AnyStep = {
  [K in keyof typeof STEP_KINDS]: (typeof STEP_KINDS)[K] extends StepKindDefinition<infer S> ? S : never;
}[keyof typeof STEP_KINDS];

/** The name of a step kind. */
export type StepKindName = keyof typeof STEP_KINDS;

/** Every kind name, in registry order. */
export const STEP_KIND_NAMES = Object.keys(STEP_KINDS) as StepKindName[];

/** The registry entry of a step's kind, typed for that step. */
export function kindOf<S extends AnyStep>(step: S): StepKindDefinition<S> {
  // One cast for all callers: TypeScript cannot correlate a union step with the entry its `kind` selects.
  return STEP_KINDS[step.kind] as unknown as StepKindDefinition<S>;
}

/** The datasets a step reads. */
export function stepReads(step: AnyStep, spec: SpecDatasets): string[] {
  return kindOf(step).reads(step, spec);
}

/** The datasets whose new batch in an execution makes the step run. */
export function stepFeeds(step: AnyStep, spec: SpecDatasets): string[] {
  return kindOf(step).feeds?.(step, spec) ?? stepReads(step, spec);
}

/** The datasets a step writes (none that it also reads). */
export function stepWrites(step: AnyStep, spec: SpecDatasets): string[] {
  const reads = stepReads(step, spec);
  return kindOf(step)
    .writes(step, spec)
    .filter((ref) => !reads.includes(ref));
}

/** Every dataset a step names, reads first, each once (what its handler's payload carries). */
export function stepDatasets(step: AnyStep, spec: SpecDatasets): string[] {
  return [...new Set([...stepReads(step, spec), ...kindOf(step).writes(step, spec)])];
}

/** What a batch a step writes to a dataset holds for readers: staged, published, quarantined or rejected. */
export function outputRole(step: AnyStep, ref: string): OutputRole {
  return kindOf(step).roles?.(step)[ref] ?? 'published';
}

/** S3 access a step needs beyond its datasets. */
export function stepExtraAccess(step: AnyStep, spec: SpecDatasets): ExtraAccess {
  return kindOf(step).access?.(step, spec) ?? {};
}

/** Objects a step reads that are not datasets (model artifacts). */
export function stepArtifacts(step: AnyStep): Artifact[] {
  return kindOf(step).artifacts?.(step) ?? [];
}

export { referencedDatasets } from './data-tests.ts';
export { BUILT_IN_FEATURE_PARAMS, DeclaredColumnLineageSchema, type DeclaredColumnLineage } from './feature-build.ts';
export { OUTPUT_ROLES } from './step-kind.ts';
export type {
  Artifact,
  ExtraAccess,
  ObjectRef,
  OutputRole,
  PrefixRef,
  ReportColumn,
  SpecDatasets,
  StepCheck,
  StepKindDefinition,
} from './step-kind.ts';
export type { BatchScoreStep } from './batch-score.ts';
export type { DataTestsStep } from './data-tests.ts';
export type { FeatureBuildStep } from './feature-build.ts';
export type { IngestStep } from './ingest.ts';
