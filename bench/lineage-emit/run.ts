// npm run bench:lineage [-- --rounds N --events N]: the Sluice OpenLineage client against openlineage-python (from
// PyPI, in a venv under .cache/) posting the same step event to the same local sink, then the step latency that
// lineage adds when the backend is healthy, down or slow. Writes its section of docs/benchmarks.md.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import { machine, writeSection } from '../write-section.ts';
import { benchPython, mib, spread, verdict, writeGoalRows } from '../harness.ts';

const root = join(import.meta.dirname, '..', '..');
const here = (file: string) => join(import.meta.dirname, file);
const log = (line: string) => process.stderr.write(`bench:lineage: ${line}\n`);

const USAGE = `Usage: npm run bench:lineage [-- --rounds N --events N]
  --rounds N   alternating rounds of each client (default 5)
  --events N   events the Sluice client posts per round; openlineage-python posts a quarter (default 2000)
Installs openlineage-python from PyPI into .cache/bench-venv on first use; writes its section of docs/benchmarks.md.
`;
const values = scriptArgs(USAGE, { rounds: { type: 'string', default: '5' }, events: { type: 'string', default: '2000' } });
const rounds = integerFlag('rounds', values.rounds, USAGE);
const events = integerFlag('events', values.events, USAGE);
const pyEvents = Math.max(100, Math.round(events / 4));
// Flags are checked before the Python environment is made.
const python = benchPython();

const pyVersion = execFileSync(python, ['-c', 'import importlib.metadata as m; print(m.version("openlineage-python"))'], {
  encoding: 'utf8',
}).trim();

function json<T>(cmd: string, args: string[]): T {
  const out = execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

async function startSink(delayMs = 0): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [here('sink.ts'), '--delay-ms', String(delayMs)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').trim()));
    child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
  });
  return { url, child };
}

async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

// 1. Per-event cost, both clients against one sink in its own process, rounds interleaved.
const sink = await startSink();
type Emit = { perEventUs: number; cpuUs: number; bytes: number; maxRssKb: number };
const ts: number[] = [];
const py: number[] = [];
const tsCpu: number[] = [];
const tsRss: number[] = [];
const pyRss: number[] = [];
const pyCpu: number[] = [];
let tsBytes = 0;
let pyBytes = 0;
for (let r = 1; r <= rounds; r += 1) {
  const t = json<Emit>(process.execPath, [here('emit-ts.ts'), sink.url, String(events), '200']);
  const p = json<Emit>(python, [here('emit.py'), sink.url, String(pyEvents), '50']);
  ts.push(t.perEventUs);
  py.push(p.perEventUs);
  tsCpu.push(t.cpuUs);
  pyCpu.push(p.cpuUs);
  tsRss.push(t.maxRssKb);
  pyRss.push(p.maxRssKb);
  tsBytes = t.bytes;
  pyBytes = p.bytes;
  log(`round ${r}/${rounds}: Sluice ${fmt(t.perEventUs)} µs/event, openlineage-python ${fmt(p.perEventUs)} µs/event`);
}
sink.child.kill('SIGTERM');
const ratio = median(py) / median(ts);
const roundRatios = ts.map((t, i) => py[i]! / t);
const GOAL = 5;
const met = roundRatios.every((r) => r >= GOAL);
const cpuRatio = median(pyCpu) / median(tsCpu);

// 2. Step latency: START + COMPLETE through the step emitter, 10 steps per process.
type Latency = { firstMs: number; restMeanMs: number; restMaxMs: number; delivered: number; outboxed: number };
const STEPS = 10;
const scenarios: Array<{ name: string; delayMs?: number; refused?: boolean }> = [
  { name: 'healthy (local sink, 201 at once)' },
  { name: 'down (connection refused)', refused: true },
  { name: 'slow: answers after 200 ms (within the 2 s deadline)', delayMs: 200 },
  { name: 'hanging: answers after 10 s (past the 2 s deadline)', delayMs: 10_000 },
];
const latency: Array<{ name: string } & Latency> = [];
for (const scenario of scenarios) {
  const outbox = await mkdtemp(join(tmpdir(), 'sluice-bench-outbox-'));
  const backend = scenario.refused ? undefined : await startSink(scenario.delayMs ?? 0);
  try {
    const url = backend?.url ?? (await refusedUrl());
    const result = json<Latency>(process.execPath, [here('latency.ts'), url, String(STEPS), outbox]);
    latency.push({ name: scenario.name, ...result });
    log(`${scenario.name}: first step +${fmt(result.firstMs, 1)} ms, then +${fmt(result.restMeanMs, 1)} ms per step`);
  } finally {
    backend?.child.kill('SIGTERM');
    await rm(outbox, { recursive: true, force: true });
  }
}

const date = new Date().toISOString().slice(0, 10);
await writeSection(
  'Lineage emit (bench/lineage-emit)',
  `Command: \`npm run bench:lineage\` (options \`-- --rounds N --events N\`). Measured ${date} on ${machine()}.
Input: one realistic step COMPLETE event (\`bench/lineage-emit/step-event.ts\`): 10 facet kinds (parent with root,
processing_engine, nominalTime, jobType, sourceCodeLocation, schema, dataSource, inputStatistics, columnLineage,
outputStatistics), 2 inputs, 1 output with 6-column schemas and column lineage; ${fmt(tsBytes)} bytes of JSON from Sluice, ${fmt(pyBytes)} from
Python (which adds its own defaults, such as empty lists). Each client builds the event with its own classes,
serialises it and POSTs it (no gzip, keep-alive) to the same local sink, a separate Node process answering 201; events
are sent one after another. openlineage-python ${pyVersion} (\`bench/lineage-emit/emit.py\`, its \`HttpTransport\`) runs in
\`.cache/bench-venv\`. ${rounds} interleaved rounds of ${fmt(events)} (Sluice) and ${fmt(pyEvents)} (Python) events; medians shown.

| client | wall time per event (median of ${rounds}) | each round | client CPU per event (median) |
|---|---|---|---|
| Sluice \`OpenLineageClient.emit\` (validates with zod, then HTTP) | ${fmt(median(ts))} µs | ${ts.map((x) => fmt(x)).join(', ')} | ${fmt(median(tsCpu))} µs |
| openlineage-python ${pyVersion} \`OpenLineageClient.emit\` | ${fmt(median(py))} µs | ${py.map((x) => fmt(x)).join(', ')} | ${fmt(median(pyCpu))} µs |

- Sluice vs openlineage-python: **${fmt(ratio, 1)}× less time per event** (median); each round: ${roundRatios.map((r) => `${fmt(r, 1)}×`).join(', ')}
  (goal ≥ ${GOAL}× in every round): ${verdict(met)}. ${fmt(cpuRatio, 1)}× less CPU in the client process. Wall time includes the sink's
  answer, which both wait for.

Step latency added by lineage (\`bench/lineage-emit/latency.ts\`): ${STEPS} consecutive steps in one process, each building
the emitter the step runtime builds (\`lineageEmitter\`, outbox in a local directory) and sending START and the COMPLETE above.

| backend | first step | later steps (mean) | later steps (max) | delivered | kept in the outbox |
|---|---|---|---|---|---|
${latency.map((l) => `| ${l.name} | +${fmt(l.firstMs, 1)} ms | +${fmt(l.restMeanMs, 1)} ms | +${fmt(l.restMaxMs, 1)} ms | ${l.delivered} | ${l.outboxed} |`).join('\n')}

- Backend down: **+${fmt(latency[1]!.restMeanMs, 1)} ms per step** once the first failure is known, +${fmt(latency[1]!.firstMs, 1)} ms for the
  first step (goal ≤ 50 ms). The first step of each scenario also pays a fresh process's first-use costs (loading and
  compiling the client, the first connection, creating the outbox directory): compare it with the healthy row. A refused
  connection is not retried (the outbox is the retry), and every event is kept in the outbox for \`sluice lineage replay\`.
- In Lambda the outbox is an S3 prefix: each kept event costs one PutObject (typically 10–30 ms there; not measured
  here), so a step whose START and COMPLETE are both kept adds two of them.
- A backend that hangs costs the first step the 2 s deadline; later steps skip it for 30 s (the circuit's cooldown) and go
  straight to the outbox. A slow backend that still answers within the deadline is waited for, since its events are delivered.`,
);
await writeGoalRows('lineage-emit', [
  {
    what: 'lineage emit per event (build, validate, serialise, POST)',
    command: 'npm run bench:lineage',
    sluice: spread(ts, 'ms').replace(/ ms/g, ' µs'),
    baseline: `${spread(py, 'ms').replace(/ ms/g, ' µs')} (openlineage-python ${pyVersion})`,
    ratio: `${fmt(ratio, 1)}× less time (rounds ${fmt(Math.min(...roundRatios), 1)}–${fmt(Math.max(...roundRatios), 1)}×)`,
    rss: `${mib(Math.max(...tsRss))} / ${mib(Math.max(...pyRss))}`,
    goal: `≥ ${GOAL}× in every round`,
    met,
  },
]);
log('wrote docs/benchmarks.md');
