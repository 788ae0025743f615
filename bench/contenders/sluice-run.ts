// One Sluice contender, in its own process: a pipeline through the local runner (embedded S3, the ASL interpreter, the real
// handlers), started by an upload or a schedule. Prints one JSON line: wall time, each step's duration and rows, peak RSS,
// and where the outputs went. Usage: node sluice-run.ts '<json options>' (see Options).
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runLocal } from '../../lib/local/index.ts';
import { ObjectStore } from '../../lib/runtime/object-store.ts';
import { embeddedObjectFile } from '../../lib/runtime/embedded-object-file.ts';
import { batchKey } from '../../lib/runtime/batch.ts';
import { BATCH_RECORD_FORMAT, writeBatchRecord } from '../../lib/runtime/batch-record.ts';
import { literal, openDuckDb, parquetFields } from '../../lib/runtime/duckdb.ts';
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3 } from '../../lib/local/embedded-s3.ts';
import type { PipelineSpec } from '../../lib/index.ts';

interface Options {
  /** Module whose default export is the pipeline. */
  readonly pipeline: string;
  readonly stateDir: string;
  readonly input?: string;
  readonly schedule?: { name: string; nominalTime: string };
  /** Parquet files to publish as a batch of a dataset before the run (object and batch record), by dataset name. */
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
  const datasets = Object.entries(options.seed).map(([name, file]) => ({ name, file, dataset: pipeline.datasets[name]! }));
  const s3 = await startEmbeddedS3(
    join(options.stateDir, 's3'),
    datasets.map((d) => d.dataset.bucket),
  );
  const db = await openDuckDb();
  try {
    const store = new ObjectStore({
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    });
    for (const { name, file, dataset } of datasets) {
      const written = await store.upload(dataset.bucket, batchKey(dataset, 'seed', 'data.parquet'), file);
      const [{ n: rows }] = (await db.all(`SELECT count(*) AS n FROM read_parquet(${literal(file)})`)) as [{ n: number }];
      // Readers see a batch through its record, as the step that publishes it writes it.
      await writeBatchRecord(store, {
        format: BATCH_RECORD_FORMAT,
        pipeline: pipeline.name,
        step: 'seed',
        dataset: name,
        bucket: dataset.bucket,
        prefix: dataset.prefix,
        batch: 'seed',
        files: [{ key: written.key, rows, bytes: written.size, etag: written.etag }],
        rows,
        fields: await parquetFields(db, file),
        time: new Date(Date.parse(options.schedule?.nominalTime ?? new Date().toISOString()) - 3_600_000).toISOString(),
        execution: { id: 'seed', startTime: new Date().toISOString() },
        publishedAt: new Date().toISOString(),
      });
    }
  } finally {
    await db.close();
    await s3.stop();
  }
}
const payloads: Record<string, unknown> = {};
// CPU time of the whole process (DuckDB's threads, the embedded S3) while each step ran: steady where wall time is not on a shared machine.
const cpuAtStart = new Map<string, NodeJS.CpuUsage>();
const cpuMs: Record<string, number> = {};
const started = performance.now();
const report = await runLocal(pipeline, {
  stateDir: options.stateDir,
  ...(options.input ? { input: options.input } : {}),
  ...(options.schedule ? { schedule: options.schedule } : {}),
  ...(options.baseDir ? { baseDir: options.baseDir } : {}),
  env: { ...process.env, ...options.env },
  onProgress: (event) => {
    if (event.type === 'step-start') {
      payloads[event.step] = event.payload;
      cpuAtStart.set(event.step, process.cpuUsage());
    } else if (event.type === 'step-end') {
      const used = process.cpuUsage(cpuAtStart.get(event.attempt.state));
      cpuMs[event.attempt.state] = (used.user + used.system) / 1000;
    }
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
      cpuMs: cpuMs[s.step],
      rowsIn: s.result?.rowsIn,
      rowsOut: s.result?.rowsOut,
      tests: s.result?.tests,
    })),
  })}\n`,
);
