// One Sluice contender, in its own process: a pipeline through the local runner (embedded S3, the ASL interpreter, the real
// handlers), started by an upload or a schedule. Prints one JSON line: wall time, each step's duration and rows, peak RSS,
// and where the outputs went. Usage: node sluice-run.ts '<json options>' (see Options).
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runLocal } from '../../lib/local/index.ts';
import { ObjectStore } from '../../lib/runtime/object-store.ts';
import { embeddedObjectFile } from '../../lib/runtime/embedded-object-file.ts';
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3 } from '../../lib/local/embedded-s3.ts';
import type { PipelineSpec } from '../../lib/index.ts';

interface Options {
  /** Module whose default export is the pipeline. */
  readonly pipeline: string;
  readonly stateDir: string;
  readonly input?: string;
  readonly schedule?: { name: string; nominalTime: string };
  /** Parquet files to place under a dataset's prefix before the run (`{ "bucket/prefix/batch=x/data.parquet": file }`). */
  readonly seed?: Record<string, string>;
  readonly baseDir?: string;
  /** Copies of written objects, by dataset: the first object each step wrote to it. */
  readonly copy?: Record<string, string>;
  /** Where to write the payload each step's handler received (for re-running a step alone). */
  readonly payloads?: string;
  readonly env?: Record<string, string>;
}

const options = JSON.parse(process.argv[2]!) as Options;
const pipeline = ((await import(options.pipeline)) as { default: PipelineSpec }).default;
if (options.seed) {
  const buckets = [...new Set(Object.keys(options.seed).map((k) => k.split('/')[0]!))];
  const s3 = await startEmbeddedS3(join(options.stateDir, 's3'), buckets);
  try {
    const store = new ObjectStore({
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    });
    for (const [path, file] of Object.entries(options.seed)) {
      const [bucket, ...key] = path.split('/');
      await store.upload(bucket!, key.join('/'), file);
    }
  } finally {
    await s3.stop();
  }
}
const payloads: Record<string, unknown> = {};
const started = performance.now();
const report = await runLocal(pipeline, {
  stateDir: options.stateDir,
  ...(options.input ? { input: options.input } : {}),
  ...(options.schedule ? { schedule: options.schedule } : {}),
  ...(options.baseDir ? { baseDir: options.baseDir } : {}),
  env: { ...process.env, ...options.env },
  onProgress: (event) => {
    if (event.type === 'step-start') payloads[event.step] = event.payload;
  },
});
const totalMs = performance.now() - started;
const maxRssKb = process.resourceUsage().maxRSS;
if (report.status !== 'SUCCEEDED') throw new Error(`the ${pipeline.name} run failed: ${report.error?.message}`);
if (options.payloads) await writeFile(options.payloads, JSON.stringify(payloads));
const outputs = report.steps.flatMap((s) => s.result?.outputs ?? []);
for (const [dataset, file] of Object.entries(options.copy ?? {})) {
  const written = outputs.find((o) => o.dataset === dataset);
  if (!written) throw new Error(`the run wrote nothing to ${dataset}`);
  const local = await embeddedObjectFile({ SLUICE_EMBEDDED_S3_DIR: report.s3Directory }, written.bucket, written.key, written.etag ?? '');
  if (!local) throw new Error(`s3://${written.bucket}/${written.key} is not in the embedded S3's directory`);
  await copyFile(local.path, file);
}
process.stdout.write(
  `${JSON.stringify({
    totalMs,
    maxRssKb,
    steps: report.steps.map((s) => ({
      step: s.step,
      kind: s.kind,
      durationMs: s.durationMs,
      rowsIn: s.result?.rowsIn,
      rowsOut: s.result?.rowsOut,
      tests: s.result?.tests,
    })),
  })}\n`,
);
