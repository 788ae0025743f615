// One contender, in its own process: Sluice ingest + data tests through the local runner. Prints JSON.
import { join } from 'node:path';
import { runLocal } from '../../lib/local/index.ts';
import { withStoredObjects } from '../../test/support/local-s3.ts';
import pipeline from './pipeline.ts';

const [input, stateDir, stagedCopy] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
const report = await runLocal(pipeline, { input, stateDir, env: { OPENLINEAGE_DISABLED: 'true' } });
const totalMs = performance.now() - started;
if (report.status !== 'SUCCEEDED') throw new Error(`bench run failed: ${report.error?.message}`);
const staged = report.steps[0]!.result!.outputs.find((o) => o.dataset === 'staged')!;
// The hand-written SQL contender reads the very batch the data-test step audited.
await withStoredObjects(join(stateDir, 's3'), ['bench-data'], (store) => store.download(staged.bucket, staged.key, stagedCopy));
process.stdout.write(
  `${JSON.stringify({
    totalMs,
    ingestMs: report.steps[0]!.durationMs,
    testsMs: report.steps[1]!.durationMs,
    rows: report.steps[1]!.result!.rowsIn,
    tests: report.steps[1]!.result!.tests,
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
