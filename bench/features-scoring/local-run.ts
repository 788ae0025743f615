// The churn example's feature and score steps as a scheduled local run: embedded S3, the ASL interpreter, the
// real handlers and lineage, over one published Parquet batch. Prints one JSON line of timings.
import { join } from 'node:path';
import { runLocal } from '../../lib/local/index.ts';
import { startEmbeddedS3 } from '../../lib/local/embedded-s3.ts';
import { ObjectStore } from '../../lib/runtime/object-store.ts';
import { BATCH_RECORD_FORMAT, writeBatchRecord } from '../../lib/runtime/batch-record.ts';
import { openDuckDb, parquetFields } from '../../lib/runtime/duckdb.ts';
import churn from '../../examples/churn/pipeline.ts';

const [published, stateDir, nominal] = process.argv.slice(2) as [string, string, string];
const s3 = await startEmbeddedS3(join(stateDir, 's3'), ['churn-data', 'churn-models']);
try {
  // The SDK reads region and credentials from the process environment.
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  const store = new ObjectStore({ AWS_ENDPOINT_URL_S3: s3.endpoint });
  const uploaded = await store.upload('churn-data', 'published/customers/batch=bench/data.parquet', published);
  // Readers see a batch through its record, as the data-test step would write it.
  const db = await openDuckDb();
  const [{ n }] = (await db.all(`SELECT count(*) AS n FROM read_parquet('${published}')`)) as [{ n: number }];
  await writeBatchRecord(store, {
    format: BATCH_RECORD_FORMAT,
    pipeline: 'churn',
    step: 'test',
    dataset: 'published',
    bucket: 'churn-data',
    prefix: 'published/customers',
    batch: 'bench',
    files: [{ key: uploaded.key, rows: n, bytes: uploaded.size, etag: uploaded.etag }],
    rows: n,
    fields: await parquetFields(db, published),
    time: new Date(Date.parse(nominal) - 3_600_000).toISOString(),
    execution: { id: 'bench', startTime: new Date().toISOString() },
    publishedAt: new Date().toISOString(),
  });
  db.close();
  store.close();
} finally {
  await s3.stop();
}
const t0 = performance.now();
const report = await runLocal(churn, {
  stateDir,
  schedule: { name: 'nightly', nominalTime: nominal },
  baseDir: join(import.meta.dirname, '..', '..', 'examples', 'churn'),
  env: {
    ...process.env,
    OPENLINEAGE__TRANSPORT__TYPE: 'file',
    OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: join(stateDir, 'events.jsonl'),
    OPENLINEAGE__TRANSPORT__APPEND: 'true',
  },
});
const totalMs = performance.now() - t0;
if (report.status !== 'SUCCEEDED') throw new Error(`the local run failed: ${report.error?.message}`);
const step = (name: string) => report.steps.find((s) => s.step === name)?.durationMs ?? Number.NaN;
process.stdout.write(
  `${JSON.stringify({ totalMs, featuresMs: step('features'), scoringMs: step('score'), rows: report.steps.at(-1)?.result?.rowsOut, maxRssKb: process.resourceUsage().maxRSS })}\n`,
);
