// npm run bench:ingest-parts [-- --rows N --parts N --concurrency N --format csv|parquet]: the churn example's ingest and
// data tests over one generated upload (CSV, or the same rows as Parquet in DuckDB's row groups), locally, once through
// the single Task and once in parts (threshold lowered so the upload splits into about --parts parts, --concurrency at a
// time; Parquet by whole row groups); each run in its own process for its peak RSS. The staged and rejected row counts,
// the reject record numbers and every rule verdict must be equal. Writes its section of docs/benchmarks.md.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import { parsePipelineSpec } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import churn from '../../examples/churn/pipeline.ts';
import { churnInputs, log, mib, runJsonAsync, scratchDir } from '../harness.ts';
import { machine, writeSection } from '../write-section.ts';
import { checkLineage } from '../lineage-check.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { withStoredObjects } from '../../test/support/local-s3.ts';

const USAGE = 'Usage: npm run bench:ingest-parts [-- --rows N (30000000) --parts N (16) --concurrency N (2) --format csv|parquet (csv)]\n';
const values = scriptArgs(USAGE, {
  rows: { type: 'string', default: '30000000' },
  format: { type: 'string', default: 'csv' },
  parts: { type: 'string', default: '16' },
  concurrency: { type: 'string', default: '2' },
  child: { type: 'string' },
  input: { type: 'string' },
  dir: { type: 'string' },
});
const rows = integerFlag('rows', values.rows, USAGE);
const partCount = integerFlag('parts', values.parts, USAGE);
const concurrency = integerFlag('concurrency', values.concurrency, USAGE);
if (values.format !== 'csv' && values.format !== 'parquet') {
  process.stderr.write(`--format ${JSON.stringify(values.format)}: expected csv or parquet\n${USAGE}`);
  process.exit(2);
}
const format = values.format;

/** The churn example's upload path (ingest, then data tests) with an ingest that splits above `above` bytes. */
function pipeline(above: number, size: number) {
  const spec = parsePipelineSpec(JSON.parse(JSON.stringify(churn)));
  const steps = spec.steps.filter((s) => s.kind === 'ingest' || s.kind === 'dataTests');
  return parsePipelineSpec({
    ...spec,
    name: 'bench-parts',
    // The upload is larger than the default 1 GiB limit of one object: both paths are told to take it.
    datasets: { ...spec.datasets, raw: { ...spec.datasets['raw']!, format, maxBytes: 8 * 1024 ** 3 } },
    triggers: spec.triggers.filter((t) => t.kind === 'upload'),
    steps: steps.map((s) => (s.kind === 'ingest' ? { ...s, parts: { above, size, concurrency } } : s)),
  });
}

if (values.child) {
  // One run, in this process: its report's counts and verdicts, the rejects' record numbers, wall time and peak RSS.
  const input = values.input!;
  const stateDir = values.dir!;
  const bytes = (await stat(input)).size;
  const size = Math.max(1024, Math.ceil(bytes / partCount));
  const spec = values.child === 'parts' ? pipeline(1024, size) : pipeline(1024 ** 4, size);
  const started = performance.now();
  const report = await runLocal(spec, {
    stateDir,
    input,
    dataset: 'raw',
    env: {
      ...process.env,
      OPENLINEAGE__TRANSPORT__TYPE: 'file',
      OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: join(stateDir, 'events.jsonl'),
      OPENLINEAGE__TRANSPORT__APPEND: 'true',
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const ingest = report.steps.find((s) => s.kind === 'ingest')!;
  const tests = report.steps.find((s) => s.kind === 'dataTests')!;
  if (!ingest.result) {
    throw new Error(`the ${values.child} run's ingest ${ingest.status}: ${ingest.error ?? report.error?.message ?? 'no result'}`);
  }
  const rejects = ingest.result.outputs.filter((o) => o.role === 'rejected');
  const rejectRecords = await withStoredObjects(join(stateDir, 's3'), [spec.datasets['raw']!.bucket], async (store) => {
    const files: string[] = [];
    for (const [i, o] of rejects.entries()) files.push((await store.read(o, join(stateDir, `rejects-${i}.parquet`))).path);
    if (files.length === 0) return '';
    const db = await openDuckDb();
    try {
      const [row] = await db.all(
        `SELECT string_agg(source_row::VARCHAR, ',' ORDER BY source_row, source_line) AS r FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`,
      );
      return String(row!.r);
    } finally {
      db.close();
    }
  });
  process.stdout.write(
    `${JSON.stringify({
      status: report.status,
      error: report.error?.name,
      staged: ingest.result?.rowsOut,
      rejected: ingest.result?.rejectedRows,
      files: ingest.result?.outputs.filter((o) => o.role === 'staged').length,
      tests: tests.result?.tests ?? tests.record?.tests,
      rules: tests.result?.rules ?? tests.record?.rules ?? [],
      rejectRecords,
      seconds,
      maxRssKb: process.resourceUsage().maxRSS,
    })}\n`,
  );
  process.exit(0);
}

const inputs = await churnInputs(rows);
const upload = format === 'parquet' ? inputs.parquet : inputs.csv;
const bytes = (await stat(upload)).size;
const dir = await scratchDir(`ingest-parts-${format}`);
const one = async (path: 'single' | 'parts') => {
  log('ingest-parts', `${path} path over ${(bytes / 1e9).toFixed(2)} GB of ${format}`);
  return runJsonAsync(process.execPath, [
    import.meta.filename,
    '--child',
    path,
    '--input',
    upload,
    '--format',
    format,
    '--dir',
    join(dir, path),
    '--parts',
    String(partCount),
    '--concurrency',
    String(concurrency),
  ]);
};
const single = await one('single');
const parts = await one('parts');
const same = (k: string) => JSON.stringify(single[k]) === JSON.stringify(parts[k]);
const checks = ['status', 'error', 'staged', 'rejected', 'tests', 'rules', 'rejectRecords'].filter((k) => !same(k));
if (checks.length > 0) throw new Error(`the paths differ in ${checks.join(', ')}: ${JSON.stringify({ single, parts }).slice(0, 2000)}`);
const lineage = await checkLineage(join(dir, 'parts', 'events.jsonl'));
const size = bytes < 1e9 ? `${(bytes / 1e6).toFixed(0)} MB` : `${(bytes / 1e9).toFixed(2)} GB`;
const what =
  format === 'parquet'
    ? `the same rows written as Parquet by DuckDB (zstd, its default row groups of 122,880 rows; ${size})`
    : `CSV (${size})`;
const command = format === 'parquet' ? 'npm run bench:ingest-parts -- --format parquet' : 'npm run bench:ingest-parts';
const body = `Command: \`${command}\` (options \`-- --rows N --parts N --concurrency N --format csv|parquet\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Input: the churn example's generator, ${rows.toLocaleString('en-US')} rows of ${what}, uploaded to a local run of the
churn example's ingest and data tests (\`sluice run\`'s runner: embedded S3, the ASL interpreter, the Distributed Map executor). Each path
ran in its own process. Both gave ${single.staged} staged rows, ${single.rejected} rejected (the same record numbers) and the same
verdicts (${JSON.stringify(single.tests)}); the parts path staged ${parts.files} files and wrote ${lineage.summary}.

| path | wall time | peak RSS |
|---|---|---|
| single Task | ${single.seconds.toFixed(1)} s | ${mib(single.maxRssKb)} |
| ${partCount} parts, ${concurrency} at a time | ${parts.seconds.toFixed(1)} s | ${mib(parts.maxRssKb)} |

Locally every part runs in the one process on the same cores, so the parts path pays for ${format === 'parquet' ? "the parts' footers" : "the plan's extra pass"} and the
copies without running wider; in AWS each part is a Lambda of its own.`;
await writeSection(
  format === 'parquet'
    ? 'Large Parquet uploads in parts, by row groups (bench/ingest/parts-run.ts)'
    : 'Large uploads in parts (bench/ingest/parts-run.ts)',
  body,
);
process.stdout.write(`${body}\n`);
