import { execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleAll } from '../size/bundle.ts';
import { packagePath } from '../../lib/constructs/lambda-bundling.ts';
import { machine, writeSection } from '../write-section.ts';
import { scriptArgs } from '../../scripts/script-args.ts';

// `npm run bench:cold-start`: each handler bundle's module initialisation in a fresh Node process, median of runs. Writes its section.
scriptArgs(
  `Usage: npm run bench:cold-start
Times each Lambda bundle's module initialisation (the import until \`handler\` is exported) in fresh Node processes,
median of 7 (SLUICE_BENCH_RUNS=N for another count), against the 100 ms goal; writes its section of docs/benchmarks.md.
`,
  {},
);
const RUNS = Number(process.env.SLUICE_BENCH_RUNS) || 7;
const GOAL_MS = 100;
// Under node_modules/.cache so the bundles resolve @aws-sdk/* from node_modules, as Lambda resolves the runtime's.
const outdir = packagePath('node_modules/.cache/sluice-cold-start');
await mkdir(outdir, { recursive: true });

const env = {
  ...process.env,
  AWS_REGION: 'eu-west-1',
  SLUICE_PIPELINE: JSON.stringify({
    name: 'churn',
    namespace: 'sluice',
    datasets: { raw: { bucket: 'bench-bucket', prefix: 'raw/x', format: 'csv' } },
  }),
  SLUICE_LINEAGE_OUTBOX: 's3://bench-bucket/_lineage/outbox',
  SLUICE_STEP_RECORDS: 's3://bench-bucket/_sluice/runs',
  SLUICE_ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:bench',
  OPENLINEAGE__TRANSPORT__TYPE: 'console',
};
// Timed inside the child: from before the import to the handler being exported; also reports whether DuckDB got loaded.
const probe = (file: string) => `
const t0 = performance.now();
const mod = await import(${JSON.stringify(file)});
const ms = performance.now() - t0;
if (typeof mod.handler !== 'function') throw new Error('no handler export');
const duckdb = process.report.getReport().sharedObjects.some((s) => s.includes('duckdb'));
console.log(JSON.stringify({ ms, duckdb }));`;

try {
  const bundles = await bundleAll(outdir);
  const lines = ['| function | init median | min | max | DuckDB loaded | goal ≤ 100 ms |', '|---|---:|---:|---:|---|---|'];
  for (const b of bundles) {
    const file = join(outdir, b.name, 'index.mjs');
    const samples: Array<{ ms: number; duckdb: boolean }> = [];
    for (let i = 0; i < RUNS; i++) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe(file)], {
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      samples.push(JSON.parse(out.trim().split('\n').pop()!));
    }
    const ms = samples.map((s) => s.ms).sort((a, c) => a - c);
    const median = ms[Math.floor(ms.length / 2)]!;
    lines.push(
      `| ${b.name} | ${median.toFixed(1)} ms | ${ms[0]!.toFixed(1)} | ${ms[ms.length - 1]!.toFixed(1)} | ${samples.some((s) => s.duckdb) ? 'yes' : 'no'} | ${median <= GOAL_MS ? 'ok' : '**over**'} |`,
    );
  }
  await writeSection(
    'Cold start (bench/cold-start)',
    `Command: \`npm run bench:cold-start\`. Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Module initialisation of each function's bundle (the \`import()\` until \`handler\` is exported) in a fresh Node process, median of
${RUNS}; DuckDB and the AWS SDK are imported on first use, not at initialisation.

${lines.join('\n')}`,
  );
  console.log(lines.join('\n'));
} finally {
  await rm(outdir, { recursive: true, force: true });
}
