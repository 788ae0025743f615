// npm run bench:single-lambda [-- --gb N --rows-per-gb N]: how far one Lambda goes. A generated CSV of about N GB (default 2)
// through the single path's ingest and data tests, with the environment of a 10,240 MB Lambda (DuckDB's threads and memory
// follow AWS_LAMBDA_FUNCTION_MEMORY_SIZE); then the churn example's feature SQL over the published rows with the DuckDB
// settings of a 1,769 MB and a 10,240 MB Lambda, spilling to a temporary directory whose peak size is recorded. Writes its
// section of docs/benchmarks.md and removes its files afterwards.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import churn from '../../examples/churn/pipeline.ts';
import { runLocal } from '../../lib/local/index.ts';
import { openDuckDb, literal } from '../../lib/runtime/duckdb.ts';
import { lambdaDuckDbMemoryMb, lambdaThreads } from '../../lib/runtime/duckdb-settings.ts';
import { ingestAndTests } from '../../test/support/backfill-paths.ts';
import { log, mib, scratchDir } from '../harness.ts';
import { machine, writeSection } from '../write-section.ts';

const USAGE = 'Usage: npm run bench:single-lambda [-- --gb N (2) --rows-per-gb N (14,900,000: the churn rows in 1 GiB)]\n';
const values = scriptArgs(USAGE, { gb: { type: 'string', default: '2' }, 'rows-per-gb': { type: 'string', default: '14900000' } });
const gb = Number(values.gb);
if (!(gb > 0)) {
  process.stderr.write(`--gb: expected a number > 0, got ${JSON.stringify(values.gb)}\n\n${USAGE}`);
  process.exit(2);
}
const rows = Math.round(gb * integerFlag('rows-per-gb', values['rows-per-gb'], USAGE));
const dir = await scratchDir('scale-single-lambda');
const exampleDir = join(import.meta.dirname, '..', '..', 'examples', 'churn');
try {
  const csv = join(dir, 'customers-large.csv');
  log('single-lambda', `generating ${rows.toLocaleString('en-US')} rows`);
  await generateCustomers(csv, { rows, seed: 5 });
  const bytes = (await stat(csv)).size;
  log('single-lambda', `${(bytes / 2 ** 30).toFixed(2)} GiB; ingest and data tests as a 10,240 MB Lambda`);
  const stateDir = join(dir, 'state');
  const report = await runLocal(ingestAndTests(churn), {
    stateDir,
    baseDir: exampleDir,
    input: csv,
    env: { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '10240', OPENLINEAGE_DISABLED: 'true' },
  });
  const [ingest, tests] = report.steps;
  if (report.status !== 'SUCCEEDED' || !ingest?.result || !tests?.result) throw new Error(`the run failed: ${report.error?.message}`);
  const rssKb = process.resourceUsage().maxRSS;
  log(
    'single-lambda',
    `ingest ${(ingest.durationMs / 1000).toFixed(0)} s, data tests ${(tests.durationMs / 1000).toFixed(0)} s, RSS ${mib(rssKb)}`,
  );
  await rm(csv);

  // The churn feature SQL over the published rows, as the feature step runs it, once per emulated Lambda size.
  const published = join(stateDir, 's3', 'churn-data', 'published');
  // The embedded S3 keeps each object's bytes in `<key>._S3rver_object`.
  const parquet = (await listFiles(published)).filter((f) => f.endsWith('.parquet._S3rver_object'));
  if (parquet.length === 0) throw new Error(`no published Parquet under ${published}`);
  const featureSql = (churn.steps.find((s) => s.kind === 'featureBuild') as { sql: string }).sql.replace(
    '$nominal_time',
    "TIMESTAMP '2026-12-01'",
  );
  const features: Array<{ memoryMb: number; threads: number; limitMb: number; ms: number; spillBytes: number; groups: number }> = [];
  for (const memoryMb of [1769, 10240]) {
    const threads = lambdaThreads(memoryMb);
    const limitMb = lambdaDuckDbMemoryMb(memoryMb);
    const spill = join(dir, `spill-${memoryMb}`);
    log('single-lambda', `feature SQL as a ${memoryMb} MB Lambda: ${threads} thread(s), DuckDB ${limitMb} MB, spilling to ${spill}`);
    const db = await openDuckDb({ threads, memoryLimitMb: limitMb, tempDirectory: spill });
    let peak = 0;
    const poll = setInterval(() => void dirBytes(spill).then((n) => (peak = Math.max(peak, n))), 500);
    const started = Date.now();
    try {
      await db.run(`CREATE VIEW customers AS SELECT * FROM read_parquet([${parquet.map(literal).join(', ')}])`);
      await db.run(`COPY (${featureSql}) TO ${literal(join(dir, `features-${memoryMb}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`);
      const [{ n }] = (await db.all(`SELECT count(*) AS n FROM read_parquet(${literal(join(dir, `features-${memoryMb}.parquet`))})`)) as [
        { n: number },
      ];
      features.push({ memoryMb, threads, limitMb, ms: Date.now() - started, spillBytes: peak, groups: Number(n) });
      log('single-lambda', `  ${((Date.now() - started) / 1000).toFixed(0)} s, spill peak ${(peak / 2 ** 30).toFixed(2)} GiB`);
    } finally {
      clearInterval(poll);
      await db.close();
    }
  }

  const s = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
  const body = `Command: \`npm run bench:single-lambda\` (options \`-- --gb N\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
One generated churn CSV of ${(bytes / 2 ** 30).toFixed(2)} GiB (${rows.toLocaleString('en-US')} rows) through the single path (one upload, one
execution) with \`AWS_LAMBDA_FUNCTION_MEMORY_SIZE=10240\`, so each step's DuckDB gets what a 10,240 MB Lambda gives it (here ${lambdaThreads(10240)}
threads, this machine's cores, where Lambda would give 6; ${lambdaDuckDbMemoryMb(10240)} MB). Then the example's feature SQL (one row per
customer: every row is its own group here, the worst case for the hash aggregate) over the published rows, in DuckDB with the
settings the feature step takes at each Lambda size, spilling to a directory whose peak size was sampled every 0.5 s.

| work | rows | time | peak RSS / spill | Lambda limit it meets first |
|---|---|---|---|---|
| ingest (CSV → typed Parquet, rejects) | ${ingest.result.rowsIn.toLocaleString('en-US')} | ${s(ingest.durationMs)} | RSS ${mib(rssKb)} (whole process) | 15 min at about ${(((900_000 / ingest.durationMs) * bytes) / 2 ** 30).toFixed(0)} GiB at this rate |
| data tests (6 rules, one scan) | ${tests.result.rowsIn.toLocaleString('en-US')} | ${s(tests.durationMs)} | | |
${features
  .map(
    (f) =>
      `| feature SQL, ${f.memoryMb} MB Lambda (${f.threads} thread${f.threads > 1 ? 's' : ''}, DuckDB ${f.limitMb} MB) | ${f.groups.toLocaleString('en-US')} groups | ${s(f.ms)} | spill ${(f.spillBytes / 2 ** 30).toFixed(2)} GiB | ${f.spillBytes > 0 ? `10 GB /tmp at about ${((((10 * 2 ** 30) / f.spillBytes) * rows) / 1e6).toFixed(0)} M rows` : 'none here: nothing spilled'} |`,
  )
  .join('\n')}

- The limits column extrapolates linearly from these runs; docs/scaling.md uses them.`;
  await writeSection('One Lambda at its limits (bench/scale)', body);
  process.stdout.write(`${body}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function dirBytes(root: string): Promise<number> {
  let total = 0;
  for (const file of await listFiles(root)) total += (await stat(file).catch(() => ({ size: 0 }))).size;
  return total;
}
