import type { PipelineSpec, StepKind } from '../definition/pipeline-schema.ts';
import { stepArtifacts, stepExtraAccess, stepReads, stepWrites, type ObjectRef, type PrefixRef } from '../definition/step-kinds/index.ts';

export type { PrefixRef } from '../definition/step-kinds/index.ts';

/** The S3 access one step kind's function needs, unioned over every step of that kind. */
export interface StepAccess {
  /** Prefixes it lists and reads. */
  readonly reads: PrefixRef[];
  /** Prefixes it writes. */
  readonly writes: PrefixRef[];
  /** Single objects it reads (model artifacts). */
  readonly objects: ObjectRef[];
}

/**
 * The prefixes each step kind reads and writes, from the spec and the step-kind registry alone: the least-privilege
 * model of the handlers. A handler that starts touching another prefix changes its kind's registry entry.
 */
export function stepAccess(spec: PipelineSpec): Map<StepKind, StepAccess> {
  const access = new Map<StepKind, StepAccess>();
  const prefix = (ref: string): PrefixRef => {
    const d = spec.datasets[ref];
    if (!d) throw new Error(`unknown dataset ${ref}`);
    return { bucket: d.bucket, prefix: d.prefix };
  };
  for (const step of spec.steps) {
    const entry = access.get(step.kind) ?? { reads: [], writes: [], objects: [] };
    const extra = stepExtraAccess(step, spec);
    entry.reads.push(...stepReads(step, spec).map(prefix), ...(extra.reads ?? []));
    entry.writes.push(...stepWrites(step, spec).map(prefix), ...(extra.writes ?? []));
    entry.objects.push(...stepArtifacts(step).map(({ bucket, key }) => ({ bucket, key })));
    access.set(step.kind, entry);
  }
  for (const [kind, entry] of access) {
    access.set(kind, {
      reads: unique(entry.reads, (r) => `${r.bucket}/${r.prefix}`),
      writes: unique(entry.writes, (r) => `${r.bucket}/${r.prefix}`),
      objects: unique(entry.objects, (o) => `${o.bucket}/${o.key}`),
    });
  }
  return access;
}

function unique<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}
