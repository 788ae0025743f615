// npm run bench:ingest-parts [-- --rows N --parts N --concurrency N]: the churn example's ingest and data tests over one
// generated CSV upload, locally, once through the single Task and once in parts (threshold lowered so the upload splits
// into --parts parts, --concurrency at a time); each run in its own process for its peak RSS. The staged and rejected
// row counts, the reject record numbers and every rule verdict must be equal. Writes its section of docs/benchmarks.md.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import { parsePipelineSpec } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import churn from '../../examples/churn/pipeline.ts';
import { churnInputs, log, mib, runJsonAsync, scratchDir } from '../harness.ts';
import { machine, writeSection } from '../write-section.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { withStoredObjects } from '../../test/support/local-s3.ts';

const USAGE = 'Usage: npm run bench:ingest-parts [-- --rows N (30000000) --parts N (16) --concurrency N (2)]\n';
const values = scriptArgs(USAGE, {
  rows: { type: 'string', default: '30000000' },
  parts: { type: 'string', default: '16' },
  concurrency: { type: 'string', default: '2' },
  child: { type: 'string' },
  input: { type: 'string' },
  dir: { type: 'string' },
});
const rows = integerFlag('rows', values.rows, USAGE);
const partCount = integerFlag('parts', values.parts, USAGE);
const concurrency = integerFlag('concurrency', values.concurrency, USAGE);

/** The churn example's upload path (ingest, then data tests) with an ingest that splits above `above` bytes. */
function pipeline(above: number, size: number) {
  const spec = parsePipelineSpec(JSON.parse(JSON.stringify(churn)));
  const steps = spec.steps.filter((s) => s.kind === 'ingest' || s.kind === 'dataTests');
  return parsePipelineSpec({
    ...spec,
    name: 'bench-parts',
    // The upload is larger than the default 1 GiB limit of one object: both paths are told to take it.
    datasets: { ...spec.datasets, raw: { ...spec.datasets['raw']!, maxBytes: 8 * 1024 ** 3 } },
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

const { csv } = await churnInputs(rows);
const bytes = (await stat(csv)).size;
const dir = await scratchDir('ingest-parts');
const one = async (path: 'single' | 'parts') => {
  log('ingest-parts', `${path} path over ${(bytes / 1e9).toFixed(2)} GB`);
  return runJsonAsync(process.execPath, [
    import.meta.filename,
    '--child',
    path,
    '--input',
    csv,
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
const body = `Command: \`npm run bench:ingest-parts\` (options \`-- --rows N --parts N --concurrency N\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Input: the churn example's generator, ${rows.toLocaleString('en-US')} rows of CSV (${(bytes / 1e9).toFixed(2)} GB), uploaded to a local run of the
churn example's ingest and data tests (\`sluice run\`'s runner: embedded S3, the ASL interpreter, the Distributed Map executor). Each path
ran in its own process. Both gave ${single.staged} staged rows, ${single.rejected} rejected (the same record numbers) and the same
verdicts (${JSON.stringify(single.tests)}); the parts path staged ${parts.files} files.

| path | wall time | peak RSS |
|---|---|---|
| single Task | ${single.seconds.toFixed(1)} s | ${mib(single.maxRssKb)} |
| ${partCount} parts, ${concurrency} at a time | ${parts.seconds.toFixed(1)} s | ${mib(parts.maxRssKb)} |

Locally every part runs in the one process on the same cores, so the parts path pays for the plan's extra pass and the
copies without running wider; in AWS each part is a Lambda of its own.`;
await writeSection('Large uploads in parts (bench/ingest/parts-run.ts)', body);
process.stdout.write(`${body}\n`);
