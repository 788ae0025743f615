// npm run bench:lambda-cost [-- --rows N --sizes 512,1024,1769,3538]: each step of the churn example as one Lambda invocation,
// in a fresh process per step and memory size, DuckDB sized from the memory as in Lambda (lib/runtime/duckdb-settings.ts), every
// read a GET as in AWS. From that: GB-s per million rows per step, the memory size that processes them for the fewest GB-s (the
// step kinds' default, lib/definition/step-kinds), and the steps' GB-s against the Python script's. Writes its section.
import { cp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import { STEP_KINDS } from '../../lib/definition/step-kinds/index.ts';
import type { StepKind } from '../../lib/definition/pipeline-schema.ts';
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3 } from '../../lib/local/embedded-s3.ts';
import { LAMBDA_MB_PER_VCPU, lambdaThreads } from '../../lib/runtime/duckdb-settings.ts';
import { specBuckets } from '../../lib/definition/spec-buckets.ts';
import churn from '../../examples/churn/pipeline.ts';
import { benchPython, churnInputs, log, mib, ROOT, runJson, runJsonAsync, scratchDir, verdict, writeGoalRows } from '../harness.ts';
import { machine, writeSection } from '../write-section.ts';

const USAGE = 'Usage: npm run bench:lambda-cost [-- --rows N (1000000) --sizes MB,MB,… (512,1024,1769,3538) --runs N (3)]\n';
const values = scriptArgs(USAGE, {
  rows: { type: 'string', default: '1000000' },
  sizes: { type: 'string', default: '512,1024,1769,3538' },
  runs: { type: 'string', default: '3' },
});
const rows = integerFlag('rows', values.rows, USAGE);
const runs = integerFlag('runs', values.runs, USAGE);
const sizes = values.sizes.split(',').map(Number);
const GOAL = 0.5;
const perMillion = 1e6 / rows;
const { csv } = await churnInputs(rows);
const python = benchPython();
const dir = await scratchDir('lambda-cost');
const stateDir = join(dir, 'state');
log('lambda-cost', 'a whole run of the churn example, to have each step’s inputs and payload');
runJson(process.execPath, [
  join(import.meta.dirname, '..', 'contenders', 'sluice-run.ts'),
  JSON.stringify({
    pipeline: join(ROOT, 'examples', 'churn', 'pipeline.ts'),
    stateDir,
    input: csv,
    baseDir: join(ROOT, 'examples', 'churn'),
    payloads: join(dir, 'payloads.json'),
    env: { OPENLINEAGE_DISABLED: 'true' },
  }),
]);
const payloads = JSON.parse(await (await import('node:fs/promises')).readFile(join(dir, 'payloads.json'), 'utf8')) as Record<
  string,
  unknown
>;
const steps = churn.steps.map((s) => ({ name: s.name, kind: s.kind as StepKind }));

type Sample = { ms: number; cpuMs: number; rss: number; failed?: string };
const samples = new Map<string, Sample>();
// Every invocation starts from the objects the whole run left: a step that writes (ingest's staged file, a feature
// batch) would otherwise change what the next one reads — a pinned read then refuses the rewritten staged file, and
// scoring would read every feature batch the earlier invocations appended.
const s3Dir = join(stateDir, 's3');
const snapshot = join(dir, 's3-after-run');
await cp(s3Dir, snapshot, { recursive: true });
let s3 = await startEmbeddedS3(s3Dir, specBuckets(churn));
const restore = async () => {
  await s3.stop();
  await rm(s3Dir, { recursive: true, force: true });
  await cp(snapshot, s3Dir, { recursive: true });
  s3 = await startEmbeddedS3(s3Dir, specBuckets(churn));
};
try {
  for (const size of sizes) {
    for (const step of steps) {
      const payloadFile = join(dir, `${step.name}.json`);
      await writeFile(payloadFile, JSON.stringify(payloads[step.name]));
      const env = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(size),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
        OPENLINEAGE__TRANSPORT__TYPE: 'file',
        OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: join(dir, 'lineage.jsonl'),
        OPENLINEAGE__TRANSPORT__APPEND: 'true',
        SLUICE_LINEAGE_OUTBOX: join(dir, 'outbox'),
      };
      const measured: Sample[] = [];
      for (let r = 0; r < runs; r++) {
        log('lambda-cost', `${step.name} at ${size} MB, run ${r + 1}/${runs}`);
        await restore();
        try {
          const out = await runJsonAsync(process.execPath, [join(import.meta.dirname, 'invoke.ts'), step.kind, payloadFile], {
            ...env,
            AWS_ENDPOINT_URL_S3: s3.endpoint,
          });
          measured.push({ ms: out.ms, cpuMs: out.cpuMs, rss: out.maxRssKb });
        } catch (error) {
          measured.push({ ms: Number.NaN, cpuMs: Number.NaN, rss: Number.NaN, failed: (error as Error).message.split('\n')[0] });
          break;
        }
      }
      const failed = measured.find((m) => m.failed);
      samples.set(
        `${step.name}@${size}`,
        // The least disturbed run: on a shared machine the others also measure the neighbours.
        failed ?? {
          ms: Math.min(...measured.map((m) => m.ms)),
          cpuMs: Math.min(...measured.map((m) => m.cpuMs)),
          rss: Math.max(...measured.map((m) => m.rss)),
        },
      );
    }
  }
} finally {
  await s3.stop();
}
log('lambda-cost', 'the Python script, for its GB-s');
const py = runJson(python, [
  join(ROOT, 'bench', 'whole-run', 'baseline.py'),
  csv,
  join(ROOT, 'examples', 'churn', 'model.json'),
  join(dir, 'python.parquet'),
  '2026-11-23T06:00:00Z',
]);

// Below one vCPU Lambda gives a share of one: the step's CPU time stretches by that share, its waiting does not.
const emulatedMs = (sample: Sample, size: number) => sample.ms + sample.cpuMs * Math.max(0, LAMBDA_MB_PER_VCPU / size - 1);
const gbSeconds = (sample: Sample, size: number) => (size / 1024) * (emulatedMs(sample, size) / 1000) * perMillion;
const fits = (sample: Sample, size: number) => !sample.failed && sample.rss / 1024 <= size * 0.9;
const recommended = new Map<string, number>();
for (const step of steps) {
  const candidates = sizes.filter((size) => fits(samples.get(`${step.name}@${size}`)!, size));
  const cost = (size: number) => gbSeconds(samples.get(`${step.name}@${size}`)!, size);
  const cheapest = Math.min(...candidates.map(cost));
  // Within 15 % of the cheapest (closer than this machine's noise), the faster (larger) size wins: about the same bill, sooner done.
  const pick = candidates.filter((size) => cost(size) <= cheapest * 1.15).at(-1);
  if (pick !== undefined) recommended.set(step.name, pick);
}
const rssGbSeconds = (name: string) => {
  const size = recommended.get(name);
  if (size === undefined) return Number.NaN;
  const sample = samples.get(`${name}@${size}`)!;
  return (sample.rss / 1024 / 1024) * (emulatedMs(sample, size) / 1000) * perMillion;
};
const sluiceGbs = steps.reduce((sum, s) => sum + rssGbSeconds(s.name), 0);
const pythonGbs = (py.maxRssKb / 1024 / 1024) * (py.totalMs / 1000) * perMillion;
const ratio = sluiceGbs / pythonGbs;
const met = ratio <= GOAL;
const cell = (name: string, size: number) => {
  const s = samples.get(`${name}@${size}`)!;
  if (s.failed) return `failed (${s.failed.slice(0, 60)})`;
  const mark = recommended.get(name) === size ? '**' : '';
  return `${mark}${(emulatedMs(s, size) / 1000).toFixed(2)} s, ${gbSeconds(s, size).toFixed(2)} GB-s, ${mib(s.rss)}${fits(s, size) ? '' : ' (does not fit)'}${mark}`;
};
const defaults = steps.map((s) => ({ ...s, configured: STEP_KINDS[s.kind].lambda.memoryMb }));
const mismatched = defaults.filter((d) => recommended.has(d.name) && recommended.get(d.name) !== d.configured);
const body = `Command: \`npm run bench:lambda-cost\` (options \`-- --rows N --sizes MB,… --runs N\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Each step of the churn example (${rows.toLocaleString('en-US')} rows) runs as one Lambda invocation would: a fresh Node process imports its
function's entry and calls the handler with the payload a local run gave it, with \`AWS_LAMBDA_FUNCTION_MEMORY_SIZE\` set, so DuckDB gets
the threads and memory the step would get in Lambda (one thread per ${LAMBDA_MB_PER_VCPU} MB, three quarters of what Node leaves), and
every read is a GET from the embedded S3 as from S3. Lambda gives a function below ${LAMBDA_MB_PER_VCPU} MB that fraction of one vCPU: its
time here is the one-thread time with its CPU time stretched by ${LAMBDA_MB_PER_VCPU} MB ÷ its size (waiting is not). This machine has
${availableParallelism()} cores, so sizes above ${availableParallelism() * LAMBDA_MB_PER_VCPU} MB cannot be emulated. GB-s are billed memory × time per million rows;
a size fits when the peak RSS stays under 90 % of it. Best of ${runs} runs per cell (peak RSS: the largest); the recommendation (bold) is the size with the fewest
GB-s, the larger of two within 15 % of each other (closer than this machine's noise).

| step | ${sizes.map((s) => `${s} MB (${lambdaThreads(s)} thread${lambdaThreads(s) > 1 ? 's' : ''})`).join(' | ')} | recommended |
|---|${sizes.map(() => '---').join('|')}|---|
${steps.map((s) => `| ${s.name} (${s.kind}) | ${sizes.map((size) => cell(s.name, size)).join(' | ')} | ${recommended.get(s.name) ?? 'none fits'} MB |`).join('\n')}

- Memory defaults of the step functions (\`lambda.memoryMb\` in each kind's registry entry, used by \`DataPipeline\` unless
  \`stepMemorySize\` is set): ${defaults.map((d) => `${d.kind} ${d.configured} MB`).join(', ')}.${
    mismatched.length > 0
      ? ` **This run recommends otherwise for ${mismatched.map((d) => `${d.kind} (${recommended.get(d.name)} MB)`).join(', ')}**; rerun before changing them, the machine is shared.`
      : ' This run agrees.'
  }
- Peak RSS × time, per million rows, at the recommended sizes: ${steps.map((s) => `${s.name} ${rssGbSeconds(s.name).toFixed(2)}`).join(', ')}; **${sluiceGbs.toFixed(2)} GB-s**
  for the four steps, against **${pythonGbs.toFixed(2)} GB-s** for the one Python script (${mib(py.maxRssKb)} × ${(py.totalMs / 1000).toFixed(2)} s,
  \`bench/whole-run/baseline.py\`): **${ratio.toFixed(2)}×** (goal ≤ ${GOAL}×): ${verdict(met)}.`;
await writeSection('Lambda cost and memory (bench/lambda-cost)', body);
await writeGoalRows('lambda-cost', [
  {
    what: 'Lambda cost per million rows, the four steps (peak RSS × time)',
    command: 'npm run bench:lambda-cost',
    sluice: `${sluiceGbs.toFixed(2)} GB-s`,
    baseline: `${pythonGbs.toFixed(2)} GB-s (the Python script)`,
    ratio: `${ratio.toFixed(2)}×`,
    rss: `${steps.map((s) => mib(samples.get(`${s.name}@${recommended.get(s.name)}`)?.rss ?? Number.NaN)).join(', ')} / ${mib(py.maxRssKb)}`,
    goal: `≤ ${GOAL}×`,
    met,
  },
]);
process.stdout.write(`${body}\n`);
