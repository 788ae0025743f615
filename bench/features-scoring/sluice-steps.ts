// The feature and scoring steps' DuckDB work (and the scorer's registered tree walk), in process, on one Parquet file: the example's feature SQL with
// $nominal_time bound, then the model compiled to SQL. Prints one JSON line of timings (best of N runs).
import { readFile } from 'node:fs/promises';
import { attachScorer, predictionSql } from '../../lib/steps/batch-score/batch-score.ts';
import { parseModel } from '../../lib/steps/batch-score/model.ts';
import { literal } from '../../lib/runtime/duckdb.ts';
import { duckDbSettings } from '../../lib/runtime/duckdb-settings.ts';
import { stepDuckDb } from '../../lib/runtime/warm-duckdb.ts';
import churn from '../../examples/churn/pipeline.ts';

const [published, modelFile, featuresFile, predictionsFile, nominal, runsArg] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const step = churn.steps.find((s) => s.kind === 'featureBuild');
if (step?.kind !== 'featureBuild') throw new Error('the churn example has no feature step');
const model = parseModel(await readFile(modelFile, 'utf8'), modelFile);
const results: Array<{ featuresMs: number; scoringMs: number; totalMs: number; rows: number }> = [];
for (let i = 0; i < Number(runsArg); i++) {
  const db = await stepDuckDb(duckDbSettings());
  try {
    const t0 = performance.now();
    await db.run(`CREATE VIEW customers AS SELECT * FROM read_parquet(${literal(published)})`);
    await db.run(`COPY (${step.sql}) TO ${literal(featuresFile)} (FORMAT parquet, COMPRESSION zstd)`, {
      nominal_time: { type: 'TIMESTAMPTZ', value: nominal },
    });
    const t1 = performance.now();
    await db.run(`CREATE VIEW features AS SELECT * FROM read_parquet(${literal(featuresFile)})`);
    const [{ n: rows }] = (await db.all(`SELECT count(*) AS n FROM features`)) as [{ n: number }];
    const scorer = await attachScorer(db, model, rows, modelFile);
    try {
      await db.run(
        `COPY (${predictionSql(model, 'features', 'customer_id', 0.5, 'bench')}) TO ${literal(predictionsFile)} (FORMAT parquet, COMPRESSION zstd)`,
      );
    } finally {
      scorer?.close();
    }
    const t2 = performance.now();
    results.push({ featuresMs: t1 - t0, scoringMs: t2 - t1, totalMs: t2 - t0, rows });
  } finally {
    await db.close();
  }
}
const best = results.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
process.stdout.write(
  `${JSON.stringify({ ...best, scoringBestMs: Math.min(...results.map((r) => r.scoringMs)), caseSql: { rows: 1, ms: 1 }, maxRssKb: process.resourceUsage().maxRSS })}\n`,
);
