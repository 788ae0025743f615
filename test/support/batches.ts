import { BATCH_RECORD_FORMAT, writeBatchRecord } from '../../lib/runtime/batch-record.ts';
import { openDuckDb, parquetFields } from '../../lib/runtime/duckdb.ts';
import type { ObjectStore } from '../../lib/runtime/object-store.ts';

/**
 * Publishes a Parquet file as a batch of a dataset the way steps do: the data file under `batch=<id>/`, then the batch
 * record that makes it visible to readers, dated `time` (and ordered among batches of one time by `startTime`).
 */
export async function publishBatch(
  store: ObjectStore,
  dataset: { bucket: string; prefix: string; ref: string },
  batch: string,
  file: string,
  options: { time: string; startTime?: string },
): Promise<void> {
  const uploaded = await store.upload(dataset.bucket, `${dataset.prefix}/batch=${batch}/data.parquet`, file);
  const db = await openDuckDb();
  try {
    const [{ n }] = (await db.all(`SELECT count(*) AS n FROM read_parquet('${file}')`)) as [{ n: number }];
    await writeBatchRecord(store, {
      format: BATCH_RECORD_FORMAT,
      pipeline: 'test',
      step: 'test',
      dataset: dataset.ref,
      bucket: dataset.bucket,
      prefix: dataset.prefix,
      batch,
      files: [{ key: uploaded.key, rows: n, bytes: uploaded.size, etag: uploaded.etag }],
      rows: n,
      fields: await parquetFields(db, file),
      time: options.time,
      execution: { id: `arn:aws:states:us-east-1:000000000000:execution:test:${batch}`, startTime: options.startTime ?? options.time },
      publishedAt: new Date().toISOString(),
    });
  } finally {
    db.close();
  }
}
