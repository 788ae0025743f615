import type { PipelineSpec } from './pipeline-schema.ts';
import { kindOf, stepArtifacts } from './step-kinds/index.ts';

/** Every bucket the spec names: dataset buckets, then the buckets of step artifacts (models), in first-use order. */
export function specBuckets(spec: PipelineSpec): string[] {
  const names = Object.values(spec.datasets).map((d) => d.bucket);
  for (const step of spec.steps) names.push(...stepArtifacts(step).map((a) => a.bucket));
  return [...new Set(names)];
}

/** The spec with its bucket names replaced (a stage's physical names); unknown names are kept. */
export function renameBuckets(spec: PipelineSpec, names: Readonly<Record<string, string>>): PipelineSpec {
  const rename = (bucket: string): string => names[bucket] ?? bucket;
  return {
    ...spec,
    datasets: Object.fromEntries(Object.entries(spec.datasets).map(([ref, d]) => [ref, { ...d, bucket: rename(d.bucket) }])),
    steps: spec.steps.map((step) => kindOf(step).renameBuckets?.(step, rename) ?? step),
  };
}
