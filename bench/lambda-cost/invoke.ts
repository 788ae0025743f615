// One step as one Lambda invocation, in a fresh process: its function's entry (functions/<kind>) is imported and its handler
// called with the payload the local runner gave it. The environment is the function's (the bench sets the memory size, the
// S3 endpoint and credentials). Prints JSON: duration of the invocation, of the import, CPU time and peak RSS.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STEP_KINDS } from '../../lib/definition/step-kinds/index.ts';
import type { StepKind } from '../../lib/definition/pipeline-schema.ts';

const [kind, payloadFile] = process.argv.slice(2) as [StepKind, string];
const payload = JSON.parse(await readFile(payloadFile, 'utf8')) as unknown;
const t0 = performance.now();
const { handler } = (await import(join(import.meta.dirname, '..', '..', STEP_KINDS[kind].lambda.entry))) as {
  handler: (payload: unknown) => Promise<{ rowsIn: number }>;
};
const initMs = performance.now() - t0;
const cpu = process.cpuUsage();
const t1 = performance.now();
const result = await handler(payload);
const ms = performance.now() - t1;
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({ ms, initMs, cpuMs: (used.user + used.system) / 1000, rows: result.rowsIn, maxRssKb: process.resourceUsage().maxRSS })}\n`,
);
