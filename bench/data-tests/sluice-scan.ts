// Sluice's own data-test scan (the 12 rules + column metrics, exactly as the step builds it) over the staged
// Parquet, without S3, publishing or lineage: separates the engine work from the step's I/O.
import { compileRule } from '../../lib/steps/data-tests/rule-sql.ts';
import { metricAggregates } from '../../lib/steps/data-tests/column-metrics.ts';
import { ident, literal, openDuckDb, parquetFields } from '../../lib/runtime/duckdb.ts';
import pipeline from './pipeline.ts';

const [file] = process.argv.slice(2) as [string];
const db = await openDuckDb();
await db.run(`CREATE VIEW batch AS SELECT * FROM read_parquet(${literal(file)})`);
const fields = await parquetFields(db, file);
const select = ['count(*) AS "rows"', ...metricAggregates(fields)];
pipeline.datasets.staged!.tests!.forEach((rule, i) => {
  const compiled = compileRule(rule, { referenceTime: new Date(), referenceView: (d) => ident(d) });
  for (const [name, expr] of Object.entries(compiled?.aggregates ?? {})) select.push(`${expr} AS ${ident(`r${i}_${name}`)}`);
});
const sql = `SELECT ${select.join(', ')} FROM batch`;
const runs: number[] = [];
for (let i = 0; i < 3; i++) {
  const started = performance.now();
  await db.all(sql);
  runs.push(performance.now() - started);
}
const rulesOnly = `SELECT count(*), ${select.filter((s) => / AS "r\d+_/.test(s)).join(', ')} FROM batch`;
const ruleRuns: number[] = [];
for (let i = 0; i < 3; i++) {
  const started = performance.now();
  await db.all(rulesOnly);
  ruleRuns.push(performance.now() - started);
}
db.close();
process.stdout.write(`${JSON.stringify({ bestMs: Math.min(...runs), rulesOnlyMs: Math.min(...ruleRuns) })}\n`);
