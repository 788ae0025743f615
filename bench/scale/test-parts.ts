// npm run bench:test-parts [-- --rows N --files N]: data tests over a large staged batch (default 30,000,000 rows in 16
// Parquet files, generated with DuckDB, about the Parquet of a 2 GB CSV), audited by the single scan and in parts (one
// partial per file, then the merge), each contender in its own process for its peak RSS. Checks that both judge every rule
// alike and count the same rows, then writes its section of docs/benchmarks.md and removes its files.
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import { DataTestRuleSchema, type DataTestRuleInput } from '../../lib/definition/rules.ts';
import { literal, openDuckDb, parquetFields } from '../../lib/runtime/duckdb.ts';
import { compileAudit, judgeAudit, singleScanSelect } from '../../lib/steps/data-tests/audit.ts';
import { partialSql } from '../../lib/steps/data-tests/partial-sql.ts';
import { computePartial, mergePartials, type KeyFile } from '../../lib/steps/data-tests/partials.ts';
import { log, mib, nodeFlags, scratchDir } from '../harness.ts';
import { machine, writeSection } from '../write-section.ts';

const USAGE = 'Usage: npm run bench:test-parts [-- --rows N (30,000,000) --files N (16)]\n';
const values = scriptArgs(USAGE, {
  rows: { type: 'string', default: '30000000' },
  files: { type: 'string', default: '16' },
  contender: { type: 'string' },
  dir: { type: 'string' },
});
const RULES: DataTestRuleInput[] = [
  { rule: 'notNull', column: 'event_id' },
  { rule: 'unique', columns: ['event_id'] },
  { rule: 'duplicateFraction', columns: ['customer_id', 'day'], max: 0.5 },
  { rule: 'acceptedValues', column: 'channel', values: ['web', 'app', 'store', 'phone'] },
  { rule: 'range', column: 'amount', min: 0, max: 10_000 },
  { rule: 'pattern', column: 'customer_id', regex: '^c[0-9]+$' },
  { rule: 'nullFraction', column: 'discount', max: 0.3 },
  { rule: 'mean', column: 'amount', min: 10, max: 1000 },
  { rule: 'stddev', column: 'amount', min: 1 },
  { rule: 'sum', column: 'quantity', min: 0 },
  { rule: 'freshness', column: 'at', maxAge: '400d' },
  { rule: 'rowCount', min: 1 },
  { rule: 'sql', name: 'discount_below_amount', predicate: 'discount IS NULL OR discount <= amount' },
];
const rules = RULES.map((r) => DataTestRuleSchema.parse(r));
const referenceTime = new Date('2026-12-01T00:00:00Z');

if (values.contender) {
  // One contender, in a process of its own: prints its verdict, time and peak RSS as one JSON line.
  const dir = values.dir!;
  const files = (await readdir(join(dir, 'batch'))).filter((f) => f.endsWith('.parquet')).map((f) => join(dir, 'batch', f));
  const db = await openDuckDb({ tempDirectory: join(dir, `spill-${values.contender}`) });
  const fields = await parquetFields(db, files[0]!);
  const plan = compileAudit(rules, fields, [], referenceTime);
  const started = Date.now();
  let row: Record<string, unknown>;
  const partMs: number[] = [];
  if (values.contender === 'single') {
    await db.run(`CREATE VIEW batch AS SELECT * FROM read_parquet([${files.map(literal).join(', ')}])`);
    [row = {}] = await db.all(`SELECT ${singleScanSelect(plan).join(', ')} FROM batch`);
  } else {
    const sql = partialSql(plan.rules, plan.compiled, fields, new Set(plan.uniqueRules.keys()));
    const partials: string[] = [];
    const keys: KeyFile[] = [];
    for (const [i, file] of files.entries()) {
      const t = Date.now();
      const out = join(dir, `part-${i}`);
      await mkdir(out, { recursive: true });
      await db.run(`CREATE OR REPLACE VIEW batch AS SELECT * FROM read_parquet(${literal(file)})`);
      const part = await computePartial(db, sql, fields, out);
      partials.push(part.partial);
      keys.push(...part.keys);
      partMs.push(Date.now() - t);
    }
    const mergeStarted = Date.now();
    row = await mergePartials(db, sql, partials, async (rule, bucket) =>
      keys.filter((k) => k.rule === rule && k.bucket === bucket).map((k) => k.file),
    );
    partMs.push(Date.now() - mergeStarted);
  }
  const { rows, outcomes } = judgeAudit(plan, row);
  await db.close();
  process.stdout.write(`${JSON.stringify({ rows, outcomes, ms: Date.now() - started, partMs, rssKb: process.resourceUsage().maxRSS })}\n`);
  process.exit(0);
}

const rows = integerFlag('rows', values.rows, USAGE);
const fileCount = integerFlag('files', values.files, USAGE);
const dir = await scratchDir('scale-test-parts');
try {
  await mkdir(join(dir, 'batch'), { recursive: true });
  log('test-parts', `generating ${rows.toLocaleString('en-US')} rows in ${fileCount} Parquet files`);
  const db = await openDuckDb();
  const per = Math.ceil(rows / fileCount);
  for (let f = 0; f < fileCount; f++) {
    const [from, to] = [f * per, Math.min(rows, (f + 1) * per)];
    await db.run(`COPY (SELECT 'e' || i AS event_id, 'c' || (hash(i) % 2000000) AS customer_id,
        (DATE '2026-01-01' + (i % 300)::INTEGER) AS day, ['web', 'app', 'store', 'phone'][1 + (i % 4)::INTEGER] AS channel,
        round((hash(i * 7) % 100000) / 100.0, 2) AS amount, CASE WHEN i % 5 = 0 THEN NULL ELSE (hash(i) % 500) / 100.0 END AS discount,
        (1 + i % 9)::INTEGER AS quantity, TIMESTAMP '2026-11-30' - to_seconds((i % 86400)::BIGINT) AS "at"
      FROM range(${from}, ${to}) r(i)) TO ${literal(join(dir, 'batch', `data-${String(f).padStart(3, '0')}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`);
    log('test-parts', `  file ${f + 1} of ${fileCount}`);
  }
  await db.close();
  const bytes = (await Promise.all((await readdir(join(dir, 'batch'))).map((f) => stat(join(dir, 'batch', f))))).reduce(
    (n, s) => n + s.size,
    0,
  );
  const run = (contender: string) => {
    log('test-parts', `${contender}…`);
    const out = execFileSync(
      process.execPath,
      [...nodeFlags(process.execPath), import.meta.filename, '--contender', contender, '--dir', dir],
      { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
      rows: number;
      outcomes: unknown[];
      ms: number;
      partMs: number[];
      rssKb: number;
    };
    log('test-parts', `  ${(result.ms / 1000).toFixed(1)} s, peak RSS ${mib(result.rssKb)}`);
    return result;
  };
  const single = run('single');
  const parts = run('parts');
  const same = single.rows === parts.rows && JSON.stringify(single.outcomes) === JSON.stringify(parts.outcomes);
  if (!same) throw new Error(`the verdicts differ:\n${JSON.stringify(single.outcomes)}\n${JSON.stringify(parts.outcomes)}`);
  const merge = parts.partMs.at(-1)!;
  const slowest = Math.max(...parts.partMs.slice(0, -1));
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const body = `Command: \`npm run bench:test-parts\` (options \`-- --rows N --files N\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
A staged batch of ${rows.toLocaleString('en-US')} rows in ${fileCount} Parquet files (${(bytes / 2 ** 20).toFixed(0)} MiB, zstd; about the Parquet
of a 2 GB CSV), generated with DuckDB, audited with ${rules.length} rules (unique over 30 M keys, a two-column duplicateFraction,
row-level rules, mean, stddev, sum, freshness, a SQL predicate) and every column's metrics. The single scan is the data-test
step's query over all files; in parts, each file's partial result (one scan plus its key sets) and then the merge, run one
after another in one process here. Each contender ran in its own process with DuckDB's default settings (all cores). Both
judged all ${rules.length} rules alike (success, expected and actual text, failed rows) and counted ${single.rows.toLocaleString('en-US')} rows.

| contender | time | peak RSS |
|---|---|---|
| single scan | ${s(single.ms)} | ${mib(single.rssKb)} |
| in parts: ${fileCount} partials one after another, then the merge | ${s(parts.ms)} (slowest part ${s(slowest)}, merge ${s(merge)}) | ${mib(parts.rssKb)} |

- With the parts running at once (one Lambda each, as the Distributed Map runs them), the step takes about the slowest part
  plus the merge: ${s(slowest + merge)} here against ${s(single.ms)} for the single scan, and each Lambda holds one file's rows.
- The parts do more work in total than the single scan: the distinct-count sketches, the samples for quantiles and the
  key sets written for the unique rules; that is the price of merging exactly.`;
  await writeSection('Data tests in parts (bench/scale)', body);
  process.stdout.write(`${body}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
