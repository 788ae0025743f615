// npm run bench:score-shards [-- --rows N --shards N --concurrency N]: scores one large generated feature batch with the
// XGBoost fixture model on the single path and through the shard Distributed Map, run locally, each path in a process of
// its own (wall time and peak RSS). The predictions must be the same rows in the same order with scores within 1e-9, or the
// benchmark fails. Writes its section of docs/benchmarks.md and removes its files afterwards.
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { definePipeline, type PipelineSpec } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { listBatches } from '../../lib/runtime/batch-record.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import { publishBatch } from '../../test/support/batches.ts';
import { withStoredObjects } from '../../test/support/local-s3.ts';
import { log, scratchDir, writeGoalRows } from '../harness.ts';
import { machine, writeSection } from '../write-section.ts';

const USAGE =
  'Usage: npm run bench:score-shards [-- --rows N (10000000) --shards N (8) --concurrency N (2)]\n' +
  '  --child single|sharded --dir D is how the benchmark runs each path in a process of its own.\n';
const values = scriptArgs(USAGE, {
  rows: { type: 'string', default: '10000000' },
  shards: { type: 'string', default: '8' },
  concurrency: { type: 'string', default: '2' },
  child: { type: 'string' },
  dir: { type: 'string' },
});
const rows = integerFlag('rows', values.rows, USAGE);
const shards = integerFlag('shards', values.shards, USAGE);
const concurrency = integerFlag('concurrency', values.concurrency, USAGE);
const BUCKET = 'bench-scores';
const MODEL = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'models', 'xgb-binary.json');

function pipeline(sharded: boolean): PipelineSpec {
  return definePipeline({
    name: 'scores',
    datasets: {
      features: { bucket: BUCKET, prefix: 'features', format: 'parquet' },
      predictions: { bucket: BUCKET, prefix: 'predictions', format: 'parquet' },
    },
    triggers: [{ kind: 'schedule', name: 'nightly', cron: 'cron(0 6 * * ? *)', startAt: 'score' }],
    steps: [
      {
        name: 'score',
        kind: 'batchScore',
        input: 'features',
        entityKey: 'id',
        output: 'predictions',
        model: { bucket: 'bench-models', key: 'xgb.json', source: MODEL },
        shards: sharded ? { minRows: 1, rowsPerShard: Math.ceil(rows / shards), concurrency } : { minRows: Number.MAX_SAFE_INTEGER },
      },
    ],
  });
}

if (values.child !== undefined && (!['single', 'sharded'].includes(values.child) || !values.dir)) {
  process.stderr.write(`--child: expected single or sharded, with --dir, got ${JSON.stringify(values.child)}\n${USAGE}`);
  process.exit(2);
}
if (values.child) {
  // One path, in this process: its wall time and this process's peak RSS go to stdout as JSON.
  const started = Date.now();
  const report = await runLocal(pipeline(values.child === 'sharded'), {
    stateDir: join(values.dir!, values.child),
    schedule: { name: 'nightly', nominalTime: '2026-02-01T06:00:00Z' },
    env: { OPENLINEAGE__TRANSPORT__TYPE: 'file', OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: join(values.dir!, `${values.child}.jsonl`) },
  });
  if (report.status !== 'SUCCEEDED') throw new Error(`${values.child}: ${report.error?.name}: ${report.error?.message}`);
  const result = report.steps[0]!.result!;
  process.stdout.write(
    `${JSON.stringify({ ms: Date.now() - started, maxRssKiB: process.resourceUsage().maxRSS, rows: result.rowsOut, files: result.outputs.length })}\n`,
  );
  process.exit(0);
}

const dir = await scratchDir('score-shards');
try {
  log('score-shards', `generating ${rows.toLocaleString('en-US')} feature rows`);
  const file = join(dir, 'features.parquet');
  const db = await openDuckDb();
  try {
    // Deterministic values from hashes of the row number, 5 % of charges missing (XGBoost's NaN path).
    await db.run(`COPY (SELECT 'c' || i AS id, (hash(i) % 72)::INTEGER AS tenure,
        CASE WHEN hash(i * 7) % 20 = 0 THEN NULL ELSE (hash(i * 3) % 12000) / 100.0 END AS charges,
        (hash(i * 5) % 300) / 100.0 AS tickets_rate, (hash(i * 11) % 2)::INTEGER AS is_basic,
        ((hash(i * 13) % 1000)::INTEGER - 500) / 1000.0 AS noise FROM range(${rows}) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    db.close();
  }
  for (const path of ['single', 'sharded']) {
    await withStoredObjects(join(dir, path, 's3'), [BUCKET], (store) =>
      publishBatch(store, { bucket: BUCKET, prefix: 'features', ref: 'features' }, 'b0', file, { time: '2026-01-31T00:00:00Z' }),
    );
  }
  const measured: Record<string, { ms: number; maxRssKiB: number; rows: number; files: number }> = {};
  for (const path of ['single', 'sharded']) {
    log('score-shards', `${path} path`);
    const out = execFileSync(
      process.execPath,
      [
        '--conditions=sluice-source',
        import.meta.filename,
        '--child',
        path,
        '--dir',
        dir,
        '--rows',
        String(rows),
        '--shards',
        String(shards),
        '--concurrency',
        String(concurrency),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
    );
    measured[path] = JSON.parse(out.trim().split('\n').at(-1)!);
  }

  log('score-shards', 'comparing the predictions row by row');
  const files = async (path: string) =>
    withStoredObjects(join(dir, path, 's3'), [BUCKET], async (store) => {
      const [batch] = await listBatches(store, { bucket: BUCKET, prefix: 'predictions' });
      return batch!.files.map((f) => `'${join(dir, path, 's3', BUCKET, `${f.key}._S3rver_object`)}'`);
    });
  const [single, sharded] = [await files('single'), await files('sharded')];
  const check = await openDuckDb();
  let differing: number;
  let compared: number;
  try {
    const [row] = await check.all(`SELECT count(*) AS n,
        count(*) FILTER (WHERE a.id IS DISTINCT FROM b.id OR a.label IS DISTINCT FROM b.label OR abs(a.score - b.score) > 1e-9) AS differing
      FROM read_parquet([${single.join(', ')}]) a POSITIONAL JOIN read_parquet([${sharded.join(', ')}]) b`);
    compared = Number(row!.n);
    differing = Number(row!.differing);
  } finally {
    check.close();
  }
  if (compared !== rows || differing > 0 || measured.single!.rows !== rows || measured.sharded!.rows !== rows) {
    throw new Error(`the paths disagree: ${differing} of ${compared} rows differ (expected ${rows} rows on each)`);
  }
  const s = measured.single!;
  const d = measured.sharded!;
  const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
  const body = `Command: \`npm run bench:score-shards\` (options \`-- --rows N --shards N --concurrency N\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
One published batch of ${rows.toLocaleString('en-US')} generated feature rows (one Parquet file, DuckDB's row groups of 122,880 rows), scored with
the XGBoost fixture model (\`test/fixtures/models/xgb-binary.json\`) by a scheduled run, locally: once on the single path and
once through the shard Distributed Map (\`shards: { minRows: 1, rowsPerShard: ${Math.ceil(rows / shards).toLocaleString('en-US')}, concurrency: ${concurrency} }\`:
${d.files} shards, ${concurrency} at once, each a child execution in the same process). Each path ran in a process of its own; peak
RSS is that process's. The predictions were compared row by row (DuckDB POSITIONAL JOIN of the two batches' files in record
order): the same ${rows.toLocaleString('en-US')} ids in the same order, the same labels, scores within 1e-9 — checked before this table was written.

| path | predictions files | wall time | rows/s | peak RSS |
|---|---|---|---|---|
| single path (one scoring run) | ${s.files} | ${(s.ms / 1000).toFixed(1)} s | ${Math.round(rows / (s.ms / 1000)).toLocaleString('en-US')} | ${mib(s.maxRssKiB)} |
| sharded (plan, ${d.files} shards ${concurrency} at once, gather) | ${d.files} | ${(d.ms / 1000).toFixed(1)} s | ${Math.round(rows / (d.ms / 1000)).toLocaleString('en-US')} | ${mib(d.maxRssKiB)} |

- On one 2-core machine the shards share the cores the single path had to itself, so sharding cannot be faster here; what
  it buys is that no run scores more than one shard's rows, so in AWS each shard is its own Lambda (its own memory, /tmp
  and 15 minutes) and the wall time is about shards ÷ concurrency × one shard's time (docs/scaling.md).
- The sharded path's extra cost is the plan (reading the row groups' metadata, counting the input) and each shard
  reading its row groups of the file (their bytes copied into a Parquet file of those rows; in AWS fetched by ranged GETs,
  here from the embedded S3's file in place).`;
  await writeSection('Sharded scoring (bench/scale/score-shards)', body);
  await writeGoalRows('score-shards', [
    {
      what: `scoring ${rows.toLocaleString('en-US')} rows in ${d.files} shards, same predictions as the single path`,
      command: 'npm run bench:score-shards',
      sluice: `${(d.ms / 1000).toFixed(1)} s`,
      baseline: `${(s.ms / 1000).toFixed(1)} s (single path)`,
      ratio: `${(s.ms / d.ms).toFixed(2)}×`,
      rss: `${mib(d.maxRssKiB)} / ${mib(s.maxRssKiB)}`,
      goal: 'equal predictions',
      met: true,
    },
  ]);
  process.stdout.write(`${body}\n`);
} finally {
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
}
