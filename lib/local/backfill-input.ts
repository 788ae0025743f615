import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { SluiceError } from '../../core/errors.ts';
import { BackfillTriggerSchema, type BackfillTrigger } from '../asl/step-invocation.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import type { ObjectStore } from '../runtime/object-store.ts';

/** What a local backfill runs over and how. */
export interface BackfillOptions {
  /** The upload dataset to backfill; needed when the pipeline has several upload triggers. */
  readonly dataset?: string;
  /** The S3 prefix listed: the dataset's prefix (the default) or one below it. */
  readonly prefix?: string;
  /** Local files uploaded under the prefix first (without starting runs of their own). */
  readonly files?: readonly string[];
  /** Child executions at once. @default 4 */
  readonly concurrency?: number;
  /** Objects per child execution. @default 1 */
  readonly objectsPerChild?: number;
  /** Percentage of objects that may fail or be quarantined without failing the backfill. @default 0 */
  readonly toleratedFailurePercentage?: number;
}

/**
 * The backfill trigger an execution input carries (`{"trigger": …}`, the same in AWS): the dataset, the prefix listed
 * and the concurrency, grouping and tolerance the Distributed Map reads from it. Each problem names its option.
 */
export function backfillTrigger(spec: PipelineSpec, options: BackfillOptions): BackfillTrigger {
  const uploads = spec.triggers.flatMap((t) => (t.kind === 'upload' ? [t.dataset] : []));
  if (uploads.length === 0) throw new SluiceError('BACKFILL_NO_UPLOAD_TRIGGER', `pipeline ${spec.name} has no upload trigger to backfill`);
  const ref = options.dataset ?? (uploads.length === 1 ? uploads[0]! : undefined);
  if (ref === undefined || !uploads.includes(ref)) {
    const why =
      ref === undefined ? `has ${uploads.length} upload triggers; say which dataset` : `has no upload trigger on ${JSON.stringify(ref)}`;
    throw new SluiceError('BACKFILL_DATASET', `--dataset: pipeline ${spec.name} ${why} (upload datasets: ${uploads.join(', ')})`);
  }
  const dataset = spec.datasets[ref]!;
  const prefix = options.prefix ?? `${dataset.prefix}/`;
  if (!prefix.startsWith(`${dataset.prefix}/`)) {
    throw new SluiceError(
      'BACKFILL_PREFIX',
      `--prefix: ${JSON.stringify(prefix)} is outside dataset ${ref}'s prefix; expected "${dataset.prefix}/" or a prefix below it`,
    );
  }
  const trigger = {
    kind: 'backfill' as const,
    dataset: ref,
    prefix,
    concurrency: options.concurrency ?? 4,
    objectsPerChild: options.objectsPerChild ?? 1,
    toleratedFailurePercentage: options.toleratedFailurePercentage ?? 0,
  };
  const parsed = BackfillTriggerSchema.safeParse(trigger);
  if (!parsed.success) {
    const flags: Record<string, string> = {
      concurrency: '--concurrency',
      objectsPerChild: '--objects-per-child',
      toleratedFailurePercentage: '--tolerate',
    };
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0]);
    const got = JSON.stringify(trigger[field as keyof typeof trigger]);
    throw new SluiceError('BACKFILL_OPTIONS', `${flags[field] ?? field}: ${issue.message}, got ${got}`);
  }
  return parsed.data;
}

/**
 * The execution input of a local backfill, after uploading the files given under its prefix (`<prefix><file name>`);
 * fails when nothing is under the prefix.
 */
export async function backfillInput(
  spec: PipelineSpec,
  store: ObjectStore,
  options: BackfillOptions,
): Promise<{ trigger: BackfillTrigger }> {
  const trigger = backfillTrigger(spec, options);
  const { bucket } = spec.datasets[trigger.dataset]!;
  for (const file of options.files ?? []) {
    const path = resolve(file);
    const found = await stat(path).catch(() => undefined);
    if (!found?.isFile()) throw new SluiceError('BACKFILL_FILE', `${path}: not a file`);
    await store.upload(bucket, `${trigger.prefix}${basename(path)}`, path);
  }
  const listed = trigger.prefix.slice(0, trigger.prefix.lastIndexOf('/'));
  if (!(await store.list(bucket, listed)).some((o) => o.key.startsWith(trigger.prefix))) {
    throw new SluiceError(
      'BACKFILL_EMPTY',
      `no objects under s3://${bucket}/${trigger.prefix}; upload files with the backfill (--upload) or name another --prefix`,
    );
  }
  return { trigger };
}
