// npm run bench:fixed-cost [-- --rows N --runs N]: what a step costs beyond its data, on a small batch (1,000 rows of the churn
// example) through the local runner: the first run in a fresh process (modules, DuckDB and the S3 client loaded), then the
// median of the later runs, per step. Writes its section of docs/benchmarks.md.
import { join } from 'node:path';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import { log, median, mib, runJson, scratchDir, spread, verdict, writeGoalRows } from '../harness.ts';
import { machine, writeSection } from '../write-section.ts';

const USAGE = 'Usage: npm run bench:fixed-cost [-- --rows N (1000) --runs N (11, the first is the cold one)]\n';
const values = scriptArgs(USAGE, {
  rows: { type: 'string', default: '1000' },
  runs: { type: 'string', default: '11' },
});
const rows = integerFlag('rows', values.rows, USAGE);
const GOAL_MS = 100;
const dir = await scratchDir('fixed-cost');
const csv = join(dir, `customers-${rows}.csv`);
await generateCustomers(csv, { rows });
log('fixed-cost', `${values.runs} runs of ${rows} rows in one process`);
const out = runJson<{ runs: Array<{ totalMs: number; steps: Record<string, number> }>; maxRssKb: number }>(process.execPath, [
  join(import.meta.dirname, 'runs.ts'),
  csv,
  dir,
  values.runs,
]);
const [first, ...warm] = out.runs;
if (!first || warm.length === 0) throw new Error('need at least two runs');
const steps = Object.keys(first.steps);
const worst = Math.max(...steps.map((s) => median(warm.map((r) => r.steps[s]!))));
const met = worst <= GOAL_MS;
const body = `Command: \`npm run bench:fixed-cost\` (options \`-- --rows N --runs N\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
The churn example on a ${rows.toLocaleString('en-US')}-row batch, ${out.runs.length} runs one after another in one process through the local
runner, with its default lineage (events file and catalog). A step's time is the handler's, as the local runner reports it. The first
run pays what a fresh process (a cold Lambda) pays once: loading the step code, DuckDB and the AWS SDK, creating the DuckDB instance
and the S3 client; later runs find them warm, as a warm Lambda does. Peak RSS ${mib(out.maxRssKb)}.

| step | first run | later runs: median (range) |
|---|---|---|
${steps
  .map(
    (s) =>
      `| ${s} | ${first.steps[s]} ms | ${spread(
        warm.map((r) => r.steps[s]!),
        'ms',
      )} |`,
  )
  .join('\n')}
| whole run (upload, four steps, lineage) | ${first.totalMs.toFixed(0)} ms | ${spread(
  warm.map((r) => r.totalMs),
  'ms',
)} |

- The slowest step's median is **${worst.toFixed(0)} ms** (goal ≤ ${GOAL_MS} ms per step): ${verdict(met)}.`;
await writeSection('Fixed cost per step (bench/fixed-cost)', body);
await writeGoalRows('fixed-cost', [
  {
    what: `fixed cost per step, ${rows.toLocaleString('en-US')}-row batch, local runner`,
    command: 'npm run bench:fixed-cost',
    sluice: steps.map((s) => `${s} ${median(warm.map((r) => r.steps[s]!)).toFixed(0)} ms`).join(', '),
    baseline: '—',
    ratio: '—',
    rss: mib(out.maxRssKb),
    goal: `≤ ${GOAL_MS} ms per step`,
    met,
  },
]);
process.stdout.write(`${body}\n`);
