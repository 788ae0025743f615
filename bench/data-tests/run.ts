// npm run bench:data-tests [-- --rows N --runs N]: the data-test step (12 rules + column metrics, through the local runner)
// against the same 12 rules as one hand-written DuckDB query, rounds interleaved. Writes its section of docs/benchmarks.md.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import { churnInputs, log, mib, median, runJson, scratchDir, spread, verdict, writeGoalRows } from '../harness.ts';
import { machine, writeSection } from '../write-section.ts';

const USAGE = 'Usage: npm run bench:data-tests [-- --rows N (1000000) --runs N (3)]\n';
const values = scriptArgs(USAGE, {
  rows: { type: 'string', default: '1000000' },
  runs: { type: 'string', default: '3' },
});
const rows = integerFlag('rows', values.rows, USAGE);
const runs = integerFlag('runs', values.runs, USAGE);
const GOAL = 1.3;
const { csv } = await churnInputs(rows);
const dir = await scratchDir('data-tests');
const sluice: Array<{ ms: number; cpu: number; rss: number; passed: boolean[] }> = [];
const duckdb: Array<{ ms: number; cpu: number; rss: number; passed: boolean[] }> = [];
for (let i = 0; i < runs; i++) {
  log('data-tests', `round ${i + 1}/${runs}`);
  const events = join(dir, `events-${i}.jsonl`);
  const run = runJson(process.execPath, [
    join(import.meta.dirname, '..', 'contenders', 'sluice-run.ts'),
    JSON.stringify({
      pipeline: join(import.meta.dirname, 'pipeline.ts'),
      stateDir: join(dir, `state-${i}`),
      input: csv,
      copy: { published: join(dir, 'published.parquet') },
      env: { OPENLINEAGE__TRANSPORT__TYPE: 'file', OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: events, OPENLINEAGE__TRANSPORT__APPEND: 'true' },
    }),
  ]);
  const complete = (await readFile(events, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .find((e) => e.job.name === 'bench-data-tests.test' && e.eventType === 'COMPLETE');
  const assertions = complete.inputs[0].inputFacets.dataQualityAssertions.assertions as Array<{ success: boolean }>;
  sluice.push({ ms: run.steps[1].durationMs, cpu: run.steps[1].cpuMs, rss: run.maxRssKb, passed: assertions.map((a) => a.success) });
  const query = runJson(process.execPath, [join(import.meta.dirname, 'duckdb-sql.ts'), join(dir, 'published.parquet')]);
  duckdb.push({ ms: query.ms, cpu: query.cpuMs, rss: query.maxRssKb, passed: query.passed });
}
for (const [i, r] of sluice.entries()) {
  if (JSON.stringify(r.passed) !== JSON.stringify(duckdb[i]!.passed)) {
    throw new Error(
      `round ${i + 1}: the rule verdicts differ: Sluice ${JSON.stringify(r.passed)}, DuckDB ${JSON.stringify(duckdb[i]!.passed)}`,
    );
  }
}
const passed = sluice[0]!.passed.filter(Boolean).length;
const ratio = median(sluice.map((r) => r.ms)) / median(duckdb.map((r) => r.ms));
const met = ratio <= GOAL;
const cpuRatio = median(sluice.map((r) => r.cpu)) / median(duckdb.map((r) => r.cpu));
const body = `Command: \`npm run bench:data-tests\` (options \`-- --rows N --runs N\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Input: the churn example's generator, ${rows.toLocaleString('en-US')} rows, ingested by Sluice; the 12 rules are in \`bench/data-tests/pipeline.ts\`
(not null, unique, accepted values, two ranges, pattern, length, row count, null fraction, mean, stddev, sum). Sluice: the data-test
step through the local runner, timed as the step: the 12 rules and every column's metrics (count, nulls, distinct count, min, max,
sum, mean, stddev, quantiles) in one scan, the batch copied to the published prefix, its statistics recorded for drift rules, the
assertions and metrics in its lineage. Baseline: the 12 rules as one hand-written query (\`bench/data-tests/duckdb-sql.ts\`) over the
same batch, on an opened DuckDB (the step finds its DuckDB open too, from ingest). ${runs} interleaved rounds, each contender in its own
process; medians with the range. Both reached the same verdict on every rule (${passed} of 12 passed). CPU time is the process's (every
DuckDB thread) over the same span; on a busy machine it moves far less than wall time.

| contender | time | CPU time | peak RSS |
|---|---|---|---|
| Sluice data-test step | ${spread(sluice.map((r) => r.ms))} | ${spread(sluice.map((r) => r.cpu))} | ${mib(Math.max(...sluice.map((r) => r.rss)))} (with ingest, same process) |
| hand-written DuckDB query | ${spread(duckdb.map((r) => r.ms))} | ${spread(duckdb.map((r) => r.cpu))} | ${mib(Math.max(...duckdb.map((r) => r.rss)))} |

- Sluice's data-test step takes **${ratio.toFixed(2)}×** the hand-written query's time (goal ≤ ${GOAL}×): ${verdict(met)}; **${cpuRatio.toFixed(2)}×** its CPU time.`;
await writeSection('Data tests (bench/data-tests)', body);
await writeGoalRows('data-tests', [
  {
    what: `data-test step, 12 rules + column metrics, ${rows.toLocaleString('en-US')} rows`,
    command: 'npm run bench:data-tests',
    sluice: spread(sluice.map((r) => r.ms)),
    baseline: `${spread(duckdb.map((r) => r.ms))} (hand-written DuckDB query)`,
    ratio: `${ratio.toFixed(2)}× the time (${cpuRatio.toFixed(2)}× the CPU time)`,
    rss: `${mib(Math.max(...sluice.map((r) => r.rss)))} / ${mib(Math.max(...duckdb.map((r) => r.rss)))}`,
    goal: `≤ ${GOAL}×`,
    met,
  },
]);
process.stdout.write(`${body}\n`);
