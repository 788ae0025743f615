// The fixed-cost contender, in its own process: the churn example on a small batch, run after run through the local runner
// (default lineage included). Prints JSON: each run's wall time and step durations.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runLocal } from '../../lib/local/index.ts';
import churn from '../../examples/churn/pipeline.ts';

const [csv, dir, count] = process.argv.slice(2) as [string, string, string];
const runs: Array<{ totalMs: number; steps: Record<string, number> }> = [];
for (let i = 0; i < Number(count); i++) {
  const stateDir = join(dir, `state-${i}`);
  await rm(stateDir, { recursive: true, force: true });
  const started = performance.now();
  const report = await runLocal(churn, { input: csv, stateDir, baseDir: join(import.meta.dirname, '..', '..', 'examples', 'churn') });
  if (report.status !== 'SUCCEEDED') throw new Error(`run ${i + 1} failed: ${report.error?.message}`);
  runs.push({ totalMs: performance.now() - started, steps: Object.fromEntries(report.steps.map((s) => [s.step, s.durationMs])) });
}
process.stdout.write(`${JSON.stringify({ runs, maxRssKb: process.resourceUsage().maxRSS })}\n`);
