import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '../../core/errors.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { specBuckets } from '../definition/spec-buckets.ts';
import { FAILING_ROWS_FILE } from '../definition/storage-layout.ts';
import { openDuckDb, literal } from '../runtime/duckdb.ts';
import { ObjectStore } from '../runtime/object-store.ts';
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3 } from '../local/embedded-s3.ts';
import { LOCAL_REGION } from '../local/handler-environment.ts';

/** One row of a dataset, as DuckDB returns it (JSON-safe: big integers as numbers when exact, else strings). */
export type DatasetRow = Record<string, unknown>;

const READERS = { parquet: 'read_parquet', csv: 'read_csv', jsonl: 'read_json' } as const;

/** Which objects of a dataset {@link datasetRows} reads. */
export interface DatasetRowsOptions {
  /**
   * Only objects with this file name, e.g. `failing-rows.parquet`, the sample of rows that broke each failed data test
   * kept beside a quarantined batch.
   * @default every data file of the dataset's format (the failing-rows samples excluded)
   */
  readonly file?: string;
}

/**
 * Every row of the data files under a dataset's prefix in a local state directory's embedded S3, in key order. Reads
 * through the embedded S3 itself, as a step would, and never modifies what it reads.
 */
export async function datasetRows(
  spec: PipelineSpec,
  s3Directory: string,
  dataset: string,
  options: DatasetRowsOptions = {},
): Promise<DatasetRow[]> {
  const found = spec.datasets[dataset];
  if (!found) {
    throw new SluiceError(
      'TESTING_DATASET_UNKNOWN',
      `dataset: pipeline ${spec.name} has no dataset ${JSON.stringify(dataset)} (datasets: ${Object.keys(spec.datasets).join(', ')})`,
    );
  }
  const s3 = await startEmbeddedS3(s3Directory, specBuckets(spec));
  const store = new ObjectStore({
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
  });
  const scratch = await mkdtemp(join(tmpdir(), 'sluice-rows-'));
  try {
    const name = (key: string) => key.slice(key.lastIndexOf('/') + 1);
    const wanted = (key: string) =>
      options.file === undefined ? key.endsWith(`.${found.format}`) && name(key) !== FAILING_ROWS_FILE : name(key) === options.file;
    const objects = (await store.list(found.bucket, found.prefix)).filter((o) => wanted(o.key) && o.size > 0);
    if (objects.length === 0) return [];
    const files: string[] = [];
    for (const [i, object] of objects.entries()) {
      const file = join(scratch, `${i}-${name(object.key)}`);
      await store.download(object.bucket, object.key, file);
      files.push(file);
    }
    const db = await openDuckDb({ threads: 1 });
    try {
      const list = `[${files.map(literal).join(', ')}]`;
      const reader = options.file?.endsWith('.parquet') ? READERS.parquet : READERS[found.format];
      return await db.all(`SELECT * FROM ${reader}(${list}, union_by_name = true)`);
    } finally {
      await db.close();
    }
  } finally {
    await s3.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}
