import { SluiceError } from '../../../core/errors.ts';
import type { DatasetSpec, PipelineSpec } from '../../definition/pipeline-schema.ts';
import { kindOf, outputRole, type OutputRole } from '../../definition/step-kinds/index.ts';
import { compareBatches, listBatches, parseBatchRecord, type BatchRecord } from '../../runtime/batch-record.ts';
import type { ObjectStore, ObjectVersion } from '../../runtime/object-store.ts';

/** What a dataset holds for readers: a step's batches by role, or files uploaded to start runs. */
export type DatasetState = OutputRole | 'upload';

/** A dataset found in storage, with its batches (or, for an upload dataset, its objects). */
export interface StoredDataset {
  readonly pipeline?: string;
  readonly ref: string;
  /** The dataset as its pipeline declares it, or as far as its batch records tell (Parquet, no columns). */
  readonly spec: DatasetSpec;
  readonly state?: DatasetState;
  /** True when the pipeline declares it, so its semantics and columns are known. */
  readonly declared: boolean;
  readonly batches: readonly BatchRecord[];
  /** The uploaded objects of an upload dataset (what ingest reads). */
  readonly uploads?: readonly ObjectVersion[];
}

/** Records fetched at once when scanning a bucket. */
const PARALLEL_READS = 8;

/**
 * The datasets of a pipeline as its definition declares them, with their batches from their records; upload datasets
 * with their objects. Nothing is read but listings and records.
 */
export async function pipelineDatasets(store: ObjectStore, spec: PipelineSpec): Promise<StoredDataset[]> {
  const states = new Map<string, DatasetState>();
  for (const step of spec.steps) {
    for (const ref of kindOf(step).writes(step, spec)) states.set(ref, outputRole(step, ref));
    if (kindOf(step).readsUploads) for (const ref of kindOf(step).reads(step, spec)) if (!states.has(ref)) states.set(ref, 'upload');
  }
  const found: StoredDataset[] = [];
  for (const [ref, dataset] of Object.entries(spec.datasets)) {
    const state = states.get(ref);
    const base = { pipeline: spec.name, ref, spec: dataset, declared: true, ...(state ? { state } : {}) };
    const batches = await listBatches(store, dataset).catch((error: unknown) => missingBucket(error, dataset.bucket));
    if (state !== 'upload') found.push({ ...base, batches });
    else
      found.push({
        ...base,
        batches,
        uploads: (await store.list(dataset.bucket, dataset.prefix)).filter((o) => !o.key.includes('/_batches/')),
      });
  }
  return found;
}

/**
 * Every dataset with batch records in the given buckets, found by listing them whole (so meant for a state directory or
 * a few buckets), optionally only those a named pipeline wrote. `onProgress` hears how far the scan is.
 */
export async function scannedDatasets(
  store: ObjectStore,
  buckets: readonly string[],
  options: { readonly pipeline?: string; readonly onProgress?: (message: string) => void } = {},
): Promise<StoredDataset[]> {
  const records: Array<{ bucket: string; key: string }> = [];
  for (const bucket of buckets) {
    const keys = await store.list(bucket, '').catch((error: unknown) => missingBucket(error, bucket));
    records.push(...keys.filter((o) => /\/_batches\/[^/]+\.json$/.test(o.key)).map((o) => ({ bucket, key: o.key })));
    options.onProgress?.(
      `scanned s3://${bucket}: ${keys.length} object${keys.length === 1 ? '' : 's'}, ${records.length} batch record${records.length === 1 ? '' : 's'} so far`,
    );
  }
  const parsed: BatchRecord[] = new Array(records.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const i = next++;
      const r = records[i]!;
      parsed[i] = parseBatchRecord(await store.getText(r.bucket, r.key), `s3://${r.bucket}/${r.key}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, records.length) }, worker));
  const byDataset = new Map<string, BatchRecord[]>();
  for (const record of parsed) {
    if (options.pipeline !== undefined && record.pipeline !== options.pipeline) continue;
    const id = `${record.bucket}/${record.prefix}`;
    byDataset.set(id, [...(byDataset.get(id) ?? []), record]);
  }
  return [...byDataset.values()].map((batches) => {
    const latest = batches.reduce((a, b) => (compareBatches(b, a) >= 0 ? b : a));
    return {
      pipeline: latest.pipeline,
      ref: latest.dataset,
      spec: { bucket: latest.bucket, prefix: latest.prefix, format: 'parquet' },
      declared: false,
      ...(latest.role ? { state: latest.role } : {}),
      batches: [...batches].sort(compareBatches),
    };
  });
}

/** Finds one dataset by `s3://bucket/prefix`, `<pipeline>.<dataset>` or a dataset name, naming the candidates when several match. */
export function pickDataset(datasets: readonly StoredDataset[], name: string): StoredDataset {
  const uri = /^s3:\/\/([^/]+)\/(.+?)\/?$/.exec(name);
  const matches = datasets.filter((d) =>
    uri
      ? d.spec.bucket === uri[1] && d.spec.prefix === uri[2]
      : d.ref === name || (d.pipeline !== undefined && `${d.pipeline}.${d.ref}` === name),
  );
  const known = datasets.map((d) => (d.pipeline ? `${d.pipeline}.${d.ref}` : d.ref)).sort();
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new SluiceError(
      'EXPLORE_DATASET_UNKNOWN',
      `no dataset ${JSON.stringify(name)} found (datasets: ${known.join(', ') || 'none'}); give a dataset name, <pipeline>.<dataset> or s3://bucket/prefix`,
    );
  }
  throw new SluiceError(
    'EXPLORE_DATASET_AMBIGUOUS',
    `${JSON.stringify(name)} names ${matches.length} datasets (${matches.map((d) => `${d.pipeline}.${d.ref} at s3://${d.spec.bucket}/${d.spec.prefix}`).join(', ')}); write <pipeline>.<dataset> or s3://bucket/prefix`,
  );
}

function missingBucket(error: unknown, bucket: string): never {
  if (/NoSuchBucket|HTTP 404/.test((error as Error).message)) {
    throw new SluiceError('EXPLORE_NO_BUCKET', `bucket ${bucket} does not exist there (${(error as Error).message})`, { cause: error });
  }
  throw error;
}
