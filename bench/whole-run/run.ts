// npm run bench:whole-run [-- --rows N --runs N]: the churn example end to end (ingest → data tests → features → score,
// through the local runner with its default lineage) against one Python script doing the same (pandas + Great Expectations
// + xgboost), rounds interleaved. Writes its section of docs/benchmarks.md.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import {
  assertSamePredictions,
  benchPython,
  churnInputs,
  log,
  median,
  mib,
  ROOT,
  runJson,
  scratchDir,
  spread,
  verdict,
  writeGoalRows,
} from '../harness.ts';
import { machine, writeSection } from '../write-section.ts';

const USAGE = 'Usage: npm run bench:whole-run [-- --rows N (1000000) --runs N (3)]\n';
const values = scriptArgs(USAGE, {
  rows: { type: 'string', default: '1000000' },
  runs: { type: 'string', default: '3' },
});
const rows = integerFlag('rows', values.rows, USAGE);
const runs = integerFlag('runs', values.runs, USAGE);
const GOAL = 2;
const { csv } = await churnInputs(rows);
const python = benchPython();
const dir = await scratchDir('whole-run');
const model = join(ROOT, 'examples', 'churn', 'model.json');
type Round = { ms: number; rss: number; passed: boolean[]; steps?: Record<string, number> };
const sluice: Round[] = [];
const py: Round[] = [];
let versions = { greatExpectations: '', pandas: '' };
for (let i = 0; i < runs; i++) {
  log('whole-run', `round ${i + 1}/${runs}`);
  const stateDir = join(dir, `state-${i}`);
  const run = runJson(process.execPath, [
    join(import.meta.dirname, '..', 'contenders', 'sluice-run.ts'),
    JSON.stringify({
      pipeline: join(ROOT, 'examples', 'churn', 'pipeline.ts'),
      stateDir,
      input: csv,
      baseDir: join(ROOT, 'examples', 'churn'),
      copy: { predictions: join(dir, 'sluice.parquet') },
      payloads: join(dir, 'payloads.json'),
    }),
  ]);
  const events = (await readFile(join(stateDir, 'lineage', 'events.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const tests = events.find((e) => e.job.name === 'churn.test' && e.eventType === 'COMPLETE');
  sluice.push({
    ms: run.totalMs,
    rss: run.maxRssKb,
    passed: tests.inputs[0].inputFacets.dataQualityAssertions.assertions.map((a: { success: boolean }) => a.success),
    steps: Object.fromEntries(run.steps.map((s: { step: string; durationMs: number }) => [s.step, s.durationMs])),
  });
  const base = runJson(python, [join(import.meta.dirname, 'baseline.py'), csv, model, join(dir, 'python.parquet'), '2026-11-23T06:00:00Z']);
  py.push({ ms: base.totalMs, rss: base.maxRssKb, passed: base.passed });
  versions = { greatExpectations: base.greatExpectations, pandas: base.pandas };
}
for (const [i, r] of sluice.entries()) {
  if (JSON.stringify(r.passed) !== JSON.stringify(py[i]!.passed)) {
    throw new Error(
      `round ${i + 1}: the rule verdicts differ: Sluice ${JSON.stringify(r.passed)}, Python ${JSON.stringify(py[i]!.passed)}`,
    );
  }
}
const same = await assertSamePredictions(join(dir, 'sluice.parquet'), join(dir, 'python.parquet'));
const ratio = median(py.map((r) => r.ms)) / median(sluice.map((r) => r.ms));
const met = ratio >= GOAL;
const stepNames = Object.keys(sluice[0]!.steps!);
const body = `Command: \`npm run bench:whole-run\` (options \`-- --rows N --runs N\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Input: the churn example's generator, ${rows.toLocaleString('en-US')} rows of CSV. Sluice: \`runLocal\` of the churn example
(\`examples/churn/pipeline.ts\`) from the upload to the run's report: the embedded S3 started, the CSV uploaded, its event matched,
the ASL executed with the four real handlers (ingest with rejects, the six data tests and column metrics, the feature SQL, the
100-tree XGBoost model), lineage to the state directory's events file and catalog. Baseline (\`bench/whole-run/baseline.py\`): one Python
script doing the same work in memory: pandas ${versions.pandas} \`read_csv\` with types, Great Expectations ${versions.greatExpectations}
checking the same six rules, the features by \`groupby\`, xgboost's \`Booster.predict\`, predictions to Parquet (timed from reading the
CSV; imports and Great Expectations' set-up are not timed). ${runs} interleaved rounds, each contender in its own process; medians
with the range. The same rule verdicts (${sluice[0]!.passed.filter(Boolean).length} of ${sluice[0]!.passed.length} passed) and the same ${same.rows.toLocaleString('en-US')} predictions
(largest score difference ${same.maxDiff.toExponential(1)}).

| contender | time | peak RSS |
|---|---|---|
| Sluice local run | ${spread(sluice.map((r) => r.ms))} | ${mib(Math.max(...sluice.map((r) => r.rss)))} |
${stepNames.map((s) => `| — of which step ${s} | ${spread(sluice.map((r) => r.steps![s]!))} | |`).join('\n')}
| one Python script | ${spread(py.map((r) => r.ms))} | ${mib(Math.max(...py.map((r) => r.rss)))} |

- The Sluice run takes **${ratio >= 1 ? `${ratio.toFixed(2)}× less time` : `${(1 / ratio).toFixed(2)}× more time`}** than the Python script (goal ≥ ${GOAL}× less): ${verdict(met)}.`;
await writeSection('Whole local run (bench/whole-run)', body);
await writeGoalRows('whole-run', [
  {
    what: `whole local run, ${rows.toLocaleString('en-US')} rows (ingest → score)`,
    command: 'npm run bench:whole-run',
    sluice: spread(sluice.map((r) => r.ms)),
    baseline: `${spread(py.map((r) => r.ms))} (pandas + Great Expectations + xgboost)`,
    ratio: `${ratio.toFixed(2)}× faster`,
    rss: `${mib(Math.max(...sluice.map((r) => r.rss)))} / ${mib(Math.max(...py.map((r) => r.rss)))}`,
    goal: `≥ ${GOAL}× faster`,
    met,
  },
]);
process.stdout.write(`${body}\n`);
