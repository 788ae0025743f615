// npm run bench:features [-- --rows N --runs N]: the churn example's feature and scoring steps (its feature SQL, its 100-tree
// XGBoost model) through the local runner, against pandas (groupby) + xgboost's Booster.predict on the same Parquet, rounds
// interleaved. Writes its section of docs/benchmarks.md.
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

const USAGE = 'Usage: npm run bench:features [-- --rows N (1000000) --runs N (3)]\n';
const values = scriptArgs(USAGE, {
  rows: { type: 'string', default: '1000000' },
  runs: { type: 'string', default: '3' },
});
const rows = integerFlag('rows', values.rows, USAGE);
const runs = integerFlag('runs', values.runs, USAGE);
const GOAL = 1.5;
const NOMINAL = '2026-11-23T06:00:00Z';
const { parquet } = await churnInputs(rows);
const python = benchPython();
const dir = await scratchDir('features-scoring');
const model = join(ROOT, 'examples', 'churn', 'model.json');
const sluice: Array<{ features: number; score: number; ms: number; rss: number }> = [];
const py: Array<{ features: number; score: number; ms: number; rss: number }> = [];
let versions = { pandas: '', xgboost: '' };
for (let i = 0; i < runs; i++) {
  log('features', `round ${i + 1}/${runs}`);
  const run = runJson(process.execPath, [
    join(import.meta.dirname, '..', 'contenders', 'sluice-run.ts'),
    JSON.stringify({
      pipeline: join(ROOT, 'examples', 'churn', 'pipeline.ts'),
      stateDir: join(dir, `state-${i}`),
      schedule: { name: 'nightly', nominalTime: NOMINAL },
      seed: { published: parquet },
      baseDir: join(ROOT, 'examples', 'churn'),
      copy: { predictions: join(dir, 'sluice.parquet') },
      env: { OPENLINEAGE_DISABLED: 'true' },
    }),
  ]);
  const step = (name: string) => run.steps.find((s: { step: string }) => s.step === name).durationMs as number;
  sluice.push({ features: step('features'), score: step('score'), ms: step('features') + step('score'), rss: run.maxRssKb });
  const base = runJson(python, [join(import.meta.dirname, 'baseline.py'), parquet, model, join(dir, 'python.parquet'), NOMINAL]);
  py.push({ features: base.featuresMs, score: base.scoringMs + base.writeMs, ms: base.totalMs, rss: base.maxRssKb });
  versions = { pandas: base.pandas, xgboost: base.xgboost };
}
const same = await assertSamePredictions(join(dir, 'sluice.parquet'), join(dir, 'python.parquet'));
const ratio = median(py.map((r) => r.ms)) / median(sluice.map((r) => r.ms));
const met = ratio >= GOAL;
const col = (list: typeof sluice, key: 'features' | 'score' | 'ms') => spread(list.map((r) => r[key]));
const body = `Command: \`npm run bench:features\` (options \`-- --rows N --runs N\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Input: the churn example's generator, ${rows.toLocaleString('en-US')} rows typed as ingest types them, in one Parquet file. Sluice: the
example's feature and score steps (\`examples/churn/pipeline.ts\`: its feature SQL, its 100-tree depth-4 XGBoost model) as a scheduled
run through the local runner, timed as the two steps; the trees are scored by bins and leaf tables on every core
(\`lib/steps/batch-score\`). Baseline (\`bench/features-scoring/baseline.py\`): pandas ${versions.pandas} \`read_parquet\` and
\`groupby(...).agg\` computing the same columns, then xgboost ${versions.xgboost}'s \`Booster.predict\` (all cores) and \`to_parquet\`.
${runs} interleaved rounds, each contender in its own process; medians with the range. Both scored the same ${same.rows.toLocaleString('en-US')}
customers, largest score difference ${same.maxDiff.toExponential(1)}, no label differs.

| contender | features | scoring (with writing predictions) | total | peak RSS |
|---|---|---|---|---|
| Sluice feature + score steps | ${col(sluice, 'features')} | ${col(sluice, 'score')} | ${col(sluice, 'ms')} | ${mib(Math.max(...sluice.map((r) => r.rss)))} |
| pandas + xgboost | ${col(py, 'features')} | ${col(py, 'score')} | ${col(py, 'ms')} | ${mib(Math.max(...py.map((r) => r.rss)))} |

- Sluice takes **${ratio >= 1 ? `${ratio.toFixed(2)}× less time` : `${(1 / ratio).toFixed(2)}× more time`}** than pandas + xgboost (goal ≥ ${GOAL}× less): ${verdict(met)}.`;
await writeSection('Features and scoring (bench/features-scoring)', body);
await writeGoalRows('features-scoring', [
  {
    what: `features + XGBoost scoring steps, ${rows.toLocaleString('en-US')} rows`,
    command: 'npm run bench:features',
    sluice: col(sluice, 'ms'),
    baseline: `${col(py, 'ms')} (pandas + xgboost)`,
    ratio: `${ratio.toFixed(2)}× faster`,
    rss: `${mib(Math.max(...sluice.map((r) => r.rss)))} / ${mib(Math.max(...py.map((r) => r.rss)))}`,
    goal: `≥ ${GOAL}× faster`,
    met,
  },
]);
process.stdout.write(`${body}\n`);
