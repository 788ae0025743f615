// The churn example's feature and score steps as a scheduled local run: embedded S3, the ASL interpreter, the
// real handlers and lineage, over one published Parquet batch. Prints one JSON line of timings.
import { join } from 'node:path';
import { runLocal } from '../../lib/local/index.ts';
import { startEmbeddedS3 } from '../../lib/local/embedded-s3.ts';
import { ObjectStore } from '../../lib/runtime/object-store.ts';
import churn from '../../examples/churn/pipeline.ts';

const [published, stateDir, nominal] = process.argv.slice(2) as [string, string, string];
const s3 = await startEmbeddedS3(join(stateDir, 's3'), ['churn-data', 'churn-models']);
try {
  // The SDK reads region and credentials from the process environment.
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  const store = new ObjectStore({ AWS_ENDPOINT_URL_S3: s3.endpoint });
  await store.upload('churn-data', 'published/customers/batch=bench/data.parquet', published);
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
