import { referencedDatasets } from '../asl/compile-asl.ts';
import type { PipelineSpec, Step, StepKind } from '../definition/pipeline-schema.ts';
import { metricsHistoryPrefix } from '../definition/storage-layout.ts';

/** A key prefix in a bucket (without the trailing slash); objects are `<prefix>/…`. */
export interface PrefixRef {
  readonly bucket: string;
  readonly prefix: string;
}

/** The S3 access one step kind's function needs, unioned over every step of that kind. */
export interface StepAccess {
  /** Prefixes it lists and reads. */
  readonly reads: PrefixRef[];
  /** Prefixes it writes. */
  readonly writes: PrefixRef[];
  /** Single objects it reads (model artifacts). */
  readonly objects: Array<{ readonly bucket: string; readonly key: string }>;
}

/**
 * The prefixes each step kind reads and writes, from the spec alone. This is the least-privilege model of the
 * handlers in functions/: when a handler starts touching another prefix, this is the one place to change.
 */
export function stepAccess(spec: PipelineSpec): Map<StepKind, StepAccess> {
  const access = new Map<StepKind, { reads: PrefixRef[]; writes: PrefixRef[]; objects: Array<{ bucket: string; key: string }> }>();
  const ds = (ref: string): PrefixRef => {
    const d = spec.datasets[ref];
    if (!d) throw new Error(`unknown dataset ${ref}`);
    return { bucket: d.bucket, prefix: d.prefix };
  };
  for (const step of spec.steps) {
    const entry = access.get(step.kind) ?? { reads: [], writes: [], objects: [] };
    const { reads, writes, objects } = stepPrefixes(spec, step, ds);
    entry.reads.push(...reads);
    entry.writes.push(...writes);
    entry.objects.push(...objects);
    access.set(step.kind, entry);
  }
  for (const [kind, entry] of access) {
    access.set(kind, { reads: unique(entry.reads), writes: unique(entry.writes), objects: uniqueObjects(entry.objects) });
  }
  return access;
}

function stepPrefixes(spec: PipelineSpec, step: Step, ds: (ref: string) => PrefixRef): StepAccess {
  switch (step.kind) {
    case 'ingest':
      return { reads: [ds(step.input)], writes: [ds(step.output), ds(step.rejects)], objects: [] };
    case 'dataTests': {
      const history = metricsHistoryPrefix(ds(step.publishTo));
      return {
        reads: [ds(step.dataset), ...referencedDatasets(spec, step).map(ds), history],
        writes: [ds(step.publishTo), ds(step.quarantineTo), history],
        objects: [],
      };
    }
    case 'featureBuild':
      return { reads: Object.values(step.inputs).map(ds), writes: [ds(step.output)], objects: [] };
    case 'batchScore':
      return { reads: [ds(step.input)], writes: [ds(step.output)], objects: [{ bucket: step.model.bucket, key: step.model.key }] };
  }
}

function unique(refs: PrefixRef[]): PrefixRef[] {
  const seen = new Map(refs.map((r) => [`${r.bucket}/${r.prefix}`, r]));
  return [...seen.values()];
}

function uniqueObjects(objects: Array<{ bucket: string; key: string }>): Array<{ bucket: string; key: string }> {
  return [...new Map(objects.map((o) => [`${o.bucket}/${o.key}`, o])).values()];
}

/** Every bucket the spec names: dataset buckets and model buckets, in first-use order. */
export function specBuckets(spec: PipelineSpec): string[] {
  const names = Object.values(spec.datasets).map((d) => d.bucket);
  for (const step of spec.steps) if (step.kind === 'batchScore') names.push(step.model.bucket);
  return [...new Set(names)];
}

/** The spec with its bucket names replaced (a stage's physical names); unknown names are kept. */
export function renameBuckets(spec: PipelineSpec, names: Readonly<Record<string, string>>): PipelineSpec {
  const rename = (bucket: string) => names[bucket] ?? bucket;
  return {
    ...spec,
    datasets: Object.fromEntries(Object.entries(spec.datasets).map(([ref, d]) => [ref, { ...d, bucket: rename(d.bucket) }])),
    steps: spec.steps.map((s) => (s.kind === 'batchScore' ? { ...s, model: { ...s.model, bucket: rename(s.model.bucket) } } : s)),
  };
}
