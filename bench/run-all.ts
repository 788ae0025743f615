// npm run bench [-- --only a,b --skip a,b | --table]: every benchmark, one after another, each in its own process (each writes its section
// of docs/benchmarks.md), then the goal table at the top of that file, from the rows each benchmark left in this run.
import { spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { scriptArgs } from '../scripts/script-args.ts';
import { nodeFlags, RESULTS, ROOT, verdict, type GoalRow } from './harness.ts';
import { machine, writeSection } from './write-section.ts';

/** The benchmarks, in the order they run: the quick ones first. */
const BENCHMARKS = [
  { name: 'size', script: 'size/run.ts', goals: false },
  { name: 'cold-start', script: 'cold-start/run.ts', goals: false },
  { name: 'fixed-cost', script: 'fixed-cost/run.ts', goals: true },
  { name: 'ingest', script: 'ingest/run.ts', goals: true },
  { name: 'scan-parts', script: 'ingest/scan-parts.ts', goals: false },
  { name: 'data-tests', script: 'data-tests/run.ts', goals: true },
  { name: 'features-scoring', script: 'features-scoring/run.ts', goals: true },
  { name: 'whole-run', script: 'whole-run/run.ts', goals: true },
  { name: 'lambda-cost', script: 'lambda-cost/run.ts', goals: true },
  { name: 'lineage-emit', script: 'lineage-emit/run.ts', goals: true },
  { name: 'catalog', script: 'catalog/run.ts', goals: true },
  { name: 'scale', script: 'scale/backfill.ts', goals: true },
  { name: 'single-lambda', script: 'scale/single-lambda.ts', goals: false },
  { name: 'test-parts', script: 'scale/test-parts.ts', goals: false },
] as const;

const values = scriptArgs(
  `Usage: npm run bench [-- --only name,… | --skip name,… | --table]
Runs every benchmark (${BENCHMARKS.map((b) => b.name).join(', ')}) and writes docs/benchmarks.md, with the goal table first.
--table runs nothing: it rebuilds the goal table from each benchmark's latest run (npm run bench:<name> leaves its rows too).
Each can also run alone: npm run bench:<name> (see package.json). Takes 20–40 minutes on a shared 2-core machine; the catalog
benchmark starts real Marquez (Java 17, PostgreSQL) and reports the embedded catalog alone when it cannot.\n`,
  { only: { type: 'string' }, skip: { type: 'string' }, table: { type: 'boolean' } },
);
const pick = (list?: string) => new Set((list ?? '').split(',').filter(Boolean));
const only = pick(values.only);
const skip = pick(values.skip);
const chosen = BENCHMARKS.filter((b) => (only.size === 0 || only.has(b.name)) && !skip.has(b.name));
const unknown = [...only, ...skip].filter((n) => !BENCHMARKS.some((b) => b.name === n));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')} (benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')})\n`);
  process.exit(2);
}

const started = Date.now();
const where = machine();
// A benchmark that runs now drops its earlier rows first, so a failed run leaves a blank row rather than an old one.
if (!values.table) for (const bench of chosen) await rm(join(RESULTS, `${bench.name}.json`), { force: true });
const failed: string[] = [];
for (const bench of values.table ? [] : chosen) {
  process.stderr.write(`\n== ${bench.name} ==\n`);
  const run = spawnSync(process.execPath, [...nodeFlags(process.execPath), join(import.meta.dirname, bench.script)], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0) failed.push(`${bench.name} (exit ${run.status ?? run.signal})`);
}

const lines: string[] = [];
for (const bench of BENCHMARKS.filter((b) => b.goals)) {
  const file = join(RESULTS, `${bench.name}.json`);
  const found = await readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as GoalRow[],
    () => undefined,
  );
  // No result on this machine (never run here, or it failed): said as such, not as a goal missed.
  if (!found) lines.push(`| ${bench.name} | \`npm run bench -- --only ${bench.name}\` | — | — | — | — | — | no result on record |`);
  for (const r of found ?? []) {
    lines.push(`| ${r.what} | \`${r.command}\` | ${r.sluice} | ${r.baseline} | ${r.ratio} | ${r.rss} | ${r.goal} | ${verdict(r.met)} |`);
  }
}
const table = `| what | command | Sluice | baseline, same run | ratio | peak RSS (Sluice / baseline) | goal | verdict |
|---|---|---|---|---|---|---|---|
${lines.join('\n')}`;
const written =
  values.table || chosen.length < BENCHMARKS.length
    ? `Assembled by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} from each benchmark's latest run; each section below says when
and at what load it ran.`
    : `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${((Date.now() - started) / 60000).toFixed(0)} minutes) on ${where}.`;
const body = `${written}
Every ratio is measured side by side in one run (contenders interleaved, each in its own process); times are medians with the range
over the rounds. Each benchmark checks that both contenders did the same work before it reports. The sections below say how each
was measured.${failed.length > 0 ? `\n\n**Failed in this run:** ${failed.join(', ')} (their rows are blank or from their last message).` : ''}

${table}`;
await writeSection('Goals', body, { first: true });
process.stdout.write(`${body}\n`);
process.exitCode = failed.length > 0 ? 1 : 0;
