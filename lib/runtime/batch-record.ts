import { z } from 'zod';
import { SluiceError } from '../../core/errors.ts';
import { formatIssues } from '../../core/issues.ts';
import { batchRecordsPrefix } from '../definition/storage-layout.ts';
import { OUTPUT_ROLES } from '../definition/step-kinds/index.ts';
import type { ObjectStore } from './object-store.ts';

/** Format tag of a batch record; readers refuse records of another format. */
export const BATCH_RECORD_FORMAT = 'sluice.batch/1';

/**
 * The publication record of one batch of a dataset, written after its data files: readers list a dataset's batches
 * from these records, never from the data files, so a batch exists for readers once (and only once) its record does.
 */
export const BatchRecordSchema = z.object({
  format: z.literal(BATCH_RECORD_FORMAT),
  pipeline: z.string(),
  step: z.string(),
  /** The dataset's reference in the pipeline, its bucket and prefix. */
  dataset: z.string(),
  bucket: z.string(),
  prefix: z.string(),
  batch: z.string(),
  /** The data files, with the rows and version of each as written. */
  files: z.array(
    z.object({
      key: z.string(),
      rows: z.number().int().nonnegative(),
      bytes: z.number().nonnegative(),
      etag: z.string(),
      versionId: z.string().optional(),
    }),
  ),
  rows: z.number().int().nonnegative(),
  /** Columns and DuckDB types of the data files. */
  fields: z.array(z.object({ name: z.string(), type: z.string() })),
  /** The batch's time: the upload's event time, or the schedule's nominal time. Orders batches first. */
  time: z.iso.datetime({ offset: true }),
  /** The execution that wrote it; its start time orders batches of the same time. */
  execution: z.object({ id: z.string(), startTime: z.string() }),
  /** When the record was written (the writer's clock; informative, not used for ordering). */
  publishedAt: z.iso.datetime({ offset: true }),
  /** What the batch is for readers (staged, published, quarantined, rejected); absent in records of older writers. */
  role: z.enum(OUTPUT_ROLES).optional(),
});
/** A batch record. */
export type BatchRecord = z.infer<typeof BatchRecordSchema>;

/**
 * Orders batches oldest first: by batch time, then by the start of the execution that wrote them, then by batch id.
 * Every part is in the record, so the order depends neither on listing order nor on the objects' timestamps.
 */
export function compareBatches(a: BatchRecord, b: BatchRecord): number {
  return (
    Date.parse(a.time) - Date.parse(b.time) ||
    Date.parse(a.execution.startTime) - Date.parse(b.execution.startTime) ||
    (a.batch < b.batch ? -1 : a.batch > b.batch ? 1 : 0)
  );
}

/** The key of a batch's record. */
export function batchRecordKey(dataset: { readonly prefix: string }, batch: string): string {
  return `${batchRecordsPrefix(dataset)}/${batch}.json`;
}

/** Writes a batch's record, after its data files: from then on readers see the batch. */
export async function writeBatchRecord(store: ObjectStore, record: BatchRecord): Promise<void> {
  await store.putText(record.bucket, batchRecordKey(record, record.batch), `${JSON.stringify(record, null, 2)}\n`);
}

/** Records fetched at once when listing a dataset's batches. */
const PARALLEL_READS = 8;

/** Every batch of a dataset, oldest first; a record that cannot be read fails, naming its key. */
export async function listBatches(
  store: ObjectStore,
  dataset: { readonly bucket: string; readonly prefix: string },
): Promise<BatchRecord[]> {
  const objects = (await store.list(dataset.bucket, batchRecordsPrefix(dataset))).filter((o) => o.key.endsWith('.json'));
  const records: BatchRecord[] = new Array(objects.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < objects.length) {
      const i = next++;
      const object = objects[i]!;
      records[i] = parseBatchRecord(await store.getText(object.bucket, object.key), `s3://${object.bucket}/${object.key}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, objects.length) }, worker));
  return records.sort(compareBatches);
}

/** Parses a batch record, naming the object and every problem when it is not one. */
export function parseBatchRecord(text: string, uri: string): BatchRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SluiceError('BATCH_RECORD_INVALID', `${uri}: not a batch record (not valid JSON: ${(error as Error).message})`, {
      cause: error,
    });
  }
  const parsed = BatchRecordSchema.safeParse(json);
  if (!parsed.success) {
    throw new SluiceError('BATCH_RECORD_INVALID', `${uri}: not a ${BATCH_RECORD_FORMAT} batch record`, {
      details: formatIssues(parsed.error),
    });
  }
  return parsed.data;
}
