import { createHash } from 'node:crypto';
import type { DatasetSpec } from '../definition/pipeline-schema.ts';
import type { StepInvocation, TriggerInput, WrittenObject } from '../asl/step-invocation.ts';
import type { ObjectStore, ObjectVersion } from './object-store.ts';

/**
 * The batch a run processes, derived from what triggered it: an upload's key and version, or a schedule's
 * name and nominal time. Output keys derive from it, so processing the same object twice writes the same keys.
 */
export function batchIdOf(trigger: TriggerInput): string {
  if (trigger.kind === 'schedule') {
    // Normalised to UTC first, so one instant always gives one id whatever offset it was written with.
    const utc = new Date(trigger.nominalTime).toISOString();
    return `${trigger.name}-${utc.replace(/[-:]/g, '').replace(/\.\d+Z$/, '')}`;
  }
  const base = (trigger.key.split('/').pop() ?? 'object').replace(/\.(csv|jsonl|json|parquet|gz)$/gi, '');
  const slug =
    base
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'object';
  const version = trigger.versionId ?? trigger.etag ?? '';
  const digest = createHash('sha256').update(`${trigger.bucket}/${trigger.key}@${version}`).digest('hex').slice(0, 10);
  return `${slug}-${digest}`;
}

/** The key of an object written for a batch under a dataset: `<prefix>/batch=<id>/<file>`. */
export function batchKey(dataset: DatasetSpec, batchId: string, file: string): string {
  return `${dataset.prefix}/batch=${batchId}/${file}`;
}

/** The partition a batch occupies, for lineage `subset` facets and listings. */
export function batchPartition(batchId: string): { key: string; value: string } {
  return { key: 'batch', value: batchId };
}

/**
 * The objects a step reads for a dataset: those written to it earlier in this execution, or else every
 * Parquet object currently under the dataset's prefix (a scheduled run over the whole table).
 */
export async function resolveInputObjects(invocation: StepInvocation, ref: string, store: ObjectStore): Promise<ObjectVersion[]> {
  const written: WrittenObject[] = Object.values(invocation.results).flatMap((r) => r.output.outputs.filter((o) => o.dataset === ref));
  if (written.length > 0) {
    return written.map((o) => ({ bucket: o.bucket, key: o.key, etag: o.etag ?? '', size: o.bytes }));
  }
  const dataset = invocation.datasets[ref];
  if (!dataset) return [];
  return (await store.list(dataset.bucket, dataset.prefix)).filter((o) => o.key.endsWith('.parquet'));
}
