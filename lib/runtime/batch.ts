import { createHash } from 'node:crypto';
import type { DatasetSpec } from '../definition/pipeline-schema.ts';
import { batchObjectKey } from '../definition/storage-layout.ts';
import type { StepInvocation, TriggerInput, WrittenObject } from '../asl/step-invocation.ts';
import type { ObjectVersion } from './object-store.ts';

/**
 * The batch a run processes, derived from what triggered it: an upload's key and content (its ETag, else its
 * version), or a schedule's name and nominal time. Output keys derive from it, so processing the same bytes under the
 * same key again rewrites the same batch instead of adding a second one.
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
  // Listings quote ETags ("…"), events do not: one object gives one batch either way.
  const content = trigger.etag?.replace(/"/g, '') ?? trigger.versionId ?? '';
  const digest = createHash('sha256').update(`${trigger.bucket}/${trigger.key}@${content}`).digest('hex').slice(0, 10);
  return `${slug}-${digest}`;
}

/**
 * The time of the batch an execution writes: the upload's event time (S3's clock, to the second) or the schedule's
 * nominal time; the execution's start when an upload carries no time. It orders batches and places them in windows.
 */
export function batchTimeOf(invocation: Pick<StepInvocation, 'trigger' | 'execution'>): string {
  const { trigger, execution } = invocation;
  const time = trigger.kind === 'schedule' ? trigger.nominalTime : (trigger.time ?? execution.startTime);
  return new Date(typeof time === 'number' ? time * 1000 : time).toISOString();
}

/** The key of an object written for a batch under a dataset: `<prefix>/batch=<id>/<file>`. */
export function batchKey(dataset: DatasetSpec, batchId: string, file: string): string {
  return batchObjectKey(dataset, batchId, file);
}

/** The partition a batch occupies, for lineage `subset` facets and listings. */
export function batchPartition(batchId: string): { key: string; value: string } {
  return { key: 'batch', value: batchId };
}

/** The objects earlier steps of this execution wrote to a dataset (the batch this run produced), in step order. */
export function writtenThisRun(invocation: StepInvocation, ref: string): WrittenObject[] {
  return Object.values(invocation.results).flatMap((r) => r.output.outputs.filter((o) => o.dataset === ref));
}

/** What a step reports of an object it stored (uploaded or copied) for `dataset`: its place, rows, size and version. */
export function writtenObject(dataset: string, stored: ObjectVersion, rows: number): WrittenObject {
  return {
    dataset,
    bucket: stored.bucket,
    key: stored.key,
    rows,
    bytes: stored.size,
    etag: stored.etag,
    ...(stored.versionId ? { versionId: stored.versionId } : {}),
  };
}
