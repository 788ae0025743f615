// npm run bench:ingest [-- --rows N --runs N]: the ingest step (CSV → typed Parquet + rejects, through the local runner)
// against the hand-written DuckDB COPY of the same extract, rounds interleaved. Writes its section of docs/benchmarks.md.
import { join } from 'node:path';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import { churnInputs, compareParquet, log, mib, median, runJson, scratchDir, spread, verdict, writeGoalRows } from '../harness.ts';
import { machine, writeSection } from '../write-section.ts';

const USAGE = 'Usage: npm run bench:ingest [-- --rows N (1000000) --runs N (3)]\n';
const values = scriptArgs(USAGE, {
  rows: { type: 'string', default: '1000000' },
  runs: { type: 'string', default: '3' },
});
const rows = integerFlag('rows', values.rows, USAGE);
const runs = integerFlag('runs', values.runs, USAGE);
const GOAL = 1.3;
const { csv } = await churnInputs(rows);
const dir = await scratchDir('ingest');
const sluice: Array<{ ms: number; cpu: number; rss: number }> = [];
const duckdb: Array<{ ms: number; cpu: number; rss: number }> = [];
for (let i = 0; i < runs; i++) {
  log('ingest', `round ${i + 1}/${runs}`);
  const run = runJson(process.execPath, [
    join(import.meta.dirname, '..', 'contenders', 'sluice-run.ts'),
    JSON.stringify({
      pipeline: join(import.meta.dirname, 'pipeline.ts'),
      stateDir: join(dir, `state-${i}`),
      input: csv,
      copy: { staged: join(dir, 'sluice.parquet') },
      env: { OPENLINEAGE_DISABLED: 'true' },
    }),
  ]);
  sluice.push({ ms: run.steps[0].durationMs, cpu: run.steps[0].cpuMs, rss: run.maxRssKb });
  const copy = runJson(process.execPath, [join(import.meta.dirname, 'duckdb-copy.ts'), csv, join(dir, 'duckdb.parquet')]);
  duckdb.push({ ms: copy.ms, cpu: copy.cpuMs, rss: copy.maxRssKb });
}
const same = await compareParquet(join(dir, 'sluice.parquet'), join(dir, 'duckdb.parquet'));
if (same.differing !== 0 || same.rows[0] !== same.rows[1]) {
  throw new Error(`the contenders disagree: ${same.rows.join(' vs ')} rows, ${same.differing} differing`);
}
const ratio = median(sluice.map((r) => r.ms)) / median(duckdb.map((r) => r.ms));
const met = ratio <= GOAL;
const cpuRatio = median(sluice.map((r) => r.cpu)) / median(duckdb.map((r) => r.cpu));
const body = `Command: \`npm run bench:ingest\` (options \`-- --rows N --runs N\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Input: the churn example's generator, ${rows.toLocaleString('en-US')} rows of CSV. Sluice: the example's ingest step through the
local runner (\`bench/ingest/pipeline.ts\`): every column typed from the dataset's schema with its problem explained, rows that do not
fit kept in the rejects dataset with their reasons, staged Parquet written through the embedded S3; timed as the step (the handler's
duration, DuckDB loaded in a fresh process). Baseline: the statement an engineer would write (\`bench/ingest/duckdb-copy.ts\`),
\`COPY (SELECT * FROM read_csv(…, columns = {typed})) TO … (FORMAT parquet, COMPRESSION zstd)\`, timed from loading DuckDB.
${runs} interleaved rounds, each contender in its own process; medians with the range. Both wrote the same ${same.rows[0].toLocaleString('en-US')} rows.
CPU time is the process's (every DuckDB thread) over the same span; on a busy machine it moves far less than wall time.

| contender | time | CPU time | peak RSS |
|---|---|---|---|
| Sluice ingest step | ${spread(sluice.map((r) => r.ms))} | ${spread(sluice.map((r) => r.cpu))} | ${mib(Math.max(...sluice.map((r) => r.rss)))} |
| hand-written DuckDB COPY | ${spread(duckdb.map((r) => r.ms))} | ${spread(duckdb.map((r) => r.cpu))} | ${mib(Math.max(...duckdb.map((r) => r.rss)))} |

- Sluice's ingest step takes **${ratio.toFixed(2)}×** the hand-written statement's time (goal ≤ ${GOAL}×): ${verdict(met)}; **${cpuRatio.toFixed(2)}×** its CPU time.`;
await writeSection('Ingest (bench/ingest)', body);
await writeGoalRows('ingest', [
  {
    what: `ingest step, CSV → typed Parquet + rejects, ${rows.toLocaleString('en-US')} rows`,
    command: 'npm run bench:ingest',
    sluice: spread(sluice.map((r) => r.ms)),
    baseline: `${spread(duckdb.map((r) => r.ms))} (hand-written DuckDB COPY)`,
    ratio: `${ratio.toFixed(2)}× the time (${cpuRatio.toFixed(2)}× the CPU time)`,
    rss: `${mib(Math.max(...sluice.map((r) => r.rss)))} / ${mib(Math.max(...duckdb.map((r) => r.rss)))}`,
    goal: `≤ ${GOAL}×`,
    met,
  },
]);
process.stdout.write(`${body}\n`);
