// bench/data-tests: Sluice ingest + 12 data-test rules on 1,000,000 rows, against pandas + Great Expectations
// evaluating the same rules, and the data-test step against the same rules as hand-written DuckDB SQL.
// Run with `npm run bench:data-tests [-- --rows N]`; writes its section of docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import { machine, writeSection } from '../write-section.ts';

const USAGE = `Usage: npm run bench:data-tests [-- --rows N --runs N]
  --rows N   rows of the generated customer extract (default 1000000)
  --runs N   timed runs per contender, the best one reported (default 3)
Compares Sluice's ingest and data-test steps with pandas + Great Expectations (installed from PyPI into
.cache/venv-data-tests on first use) and with the same rules as one hand-written DuckDB query; writes its section
of docs/benchmarks.md.
`;
const values = scriptArgs(USAGE, { rows: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } });
const rows = integerFlag('rows', values.rows, USAGE);
const runs = integerFlag('runs', values.runs, USAGE);
const root = join(import.meta.dirname, '..', '..');
const cache = join(root, '.cache', 'bench-data-tests');
const venv = join(root, '.cache', 'venv-data-tests');
const python = join(venv, 'bin', 'python');
const PY_PACKAGES = ['great_expectations==1.24.1', 'pandas==3.1.1'];

const log = (text: string): void => void process.stderr.write(`${text}\n`);
await mkdir(cache, { recursive: true });
const input = join(cache, `customers-${rows}.csv`);
if (!existsSync(input)) {
  log(`generating ${rows} rows → ${input}`);
  await generateCustomers(input, { rows });
}
if (!existsSync(python)) {
  log(`creating a Python venv with ${PY_PACKAGES.join(', ')} (once) → ${venv}`);
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(join(venv, 'bin', 'pip'), ['install', '-q', ...PY_PACKAGES], { stdio: 'inherit' });
}

const node = process.execPath;
const json = (cmd: string, args: string[]): Record<string, any> => {
  const out = execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!);
};

const sluice: Array<Record<string, any>> = [];
const staged = join(cache, 'staged.parquet');
for (let i = 0; i < runs; i++) {
  log(`sluice run ${i + 1}/${runs}`);
  const stateDir = join(cache, `state-${i}`);
  await rm(stateDir, { recursive: true, force: true });
  sluice.push(json(node, [join(import.meta.dirname, 'sluice-run.ts'), input, stateDir, staged]));
  await rm(stateDir, { recursive: true, force: true });
}
log('hand-written DuckDB SQL');
const sql = json(node, [join(import.meta.dirname, 'duckdb-sql.ts'), staged]);
log("Sluice's generated scan");
const scan = json(node, [join(import.meta.dirname, 'sluice-scan.ts'), staged]);
log('pandas + Great Expectations');
const ge = json(python, [join(import.meta.dirname, 'ge_rules.py'), input, String(runs)]);

const best = (key: string): number => Math.min(...sluice.map((r) => Number(r[key])));
const s = {
  total: best('totalMs'),
  ingest: best('ingestMs'),
  tests: best('testsMs'),
  rss: Math.max(...sluice.map((r) => Number(r.maxRssKb))),
};
const csvMb = (await stat(input)).size / 2 ** 20;
const ms = (v: number): string => `${(v / 1000).toFixed(2)} s`;
const rate = (v: number): string => `${(((rows / v) * 1000) / 1e6).toFixed(2)} M rows/s`;
const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
const table = `| contender | what is timed | wall time (best of ${runs}) | rows/s | peak RSS |
|---|---|---|---|---|
| Sluice | ingest (CSV → typed Parquet) + data tests, through embedded S3 and the ASL interpreter | ${ms(s.total)} | ${rate(s.total)} | ${mb(s.rss)} |
| — of which ingest step | download, type, write staged Parquet and rejects | ${ms(s.ingest)} | ${rate(s.ingest)} | |
| — of which data-test step | 12 rules + column metrics in one scan, publish, history | ${ms(s.tests)} | ${rate(s.tests)} | |
| pandas + Great Expectations ${ge.greatExpectations} | read_csv with dtypes + validate the 12 expectations | ${ms(ge.totalMs)} | ${rate(ge.totalMs)} | ${mb(ge.maxRssKb)} |
| hand-written DuckDB SQL | the 12 rules as one query over the staged Parquet | ${ms(sql.bestMs)} | ${rate(sql.bestMs)} | ${mb(sql.maxRssKb)} |
| Sluice's generated query, rules only | the step's SQL for the 12 rules, same file, no S3 | ${ms(scan.rulesOnlyMs)} | ${rate(scan.rulesOnlyMs)} | |
| Sluice's generated query, rules + metrics | the step's whole scan: rules plus per-column metrics | ${ms(scan.bestMs)} | ${rate(scan.bestMs)} | |`;
const ratioGe = ge.totalMs / s.total;
const ratioSql = s.tests / sql.bestMs;
const body = `Command: \`npm run bench:data-tests\` (options \`-- --rows N --runs N\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Input: the churn example's generator, ${rows.toLocaleString('en-US')} rows, ${csvMb.toFixed(1)} MB CSV; the 12 rules are in
\`bench/data-tests/pipeline.ts\` (not null, unique, accepted values, two ranges, pattern, length, row count, null fraction,
mean, stddev, sum); Great Expectations evaluates the same 12 expectations (\`bench/data-tests/ge_rules.py\`, pandas ${ge.pandas}).
All ${sluice[0]?.tests?.passed ?? '?'} Sluice rules and ${ge.passed} of ${ge.evaluated} expectations passed, so both did the full work.

${table}

- Sluice vs Great Expectations, end to end: **${ratioGe.toFixed(1)}× less wall time** (goal ≥ 20×).
- Sluice's data-test step vs the hand-written query: **${ratioSql.toFixed(2)}×** the query's time (goal ≤ 1.5×). Its generated SQL
  for the same rules takes **${(scan.rulesOnlyMs / sql.bestMs).toFixed(2)}×** the hand-written query; with the per-column metrics
  (counts, approximate distinct counts and quantiles, means) **${(scan.bestMs / sql.bestMs).toFixed(2)}×**. The rest of the step is
  I/O the query does not do: downloading the batch from S3, copying it to the published prefix, recording its statistics
  for drift rules and emitting lineage.`;
await writeSection('Data tests (bench/data-tests)', body);
process.stdout.write(`${body}\n`);
