// npm run bench:scan-parts [-- --rows N --parts N --runs N]: the record scanner alone over the churn CSV (records
// written, as ingest does), the counting pass that plans parts, and the parts scanned one after another; the parts'
// records must equal the whole scan's. Writes its section of docs/benchmarks.md.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { integerFlag, scriptArgs } from '../../scripts/script-args.ts';
import { MAX_RECORD_BYTES, MAX_RECORD_LINES } from '../../lib/steps/ingest/read-source.ts';
import { partScanOptions, planParts } from '../../lib/steps/ingest/plan-parts.ts';
import type { RecordScanOptions } from '../../lib/steps/ingest/record-scan-options.ts';
import { scanTextSource } from '../../lib/steps/ingest/text-source.ts';
import { churnInputs, log, median, scratchDir, spread } from '../harness.ts';
import { machine, writeSection } from '../write-section.ts';

const USAGE = 'Usage: npm run bench:scan-parts [-- --rows N (1000000) --parts N (16) --runs N (3)]\n';
const values = scriptArgs(USAGE, {
  rows: { type: 'string', default: '1000000' },
  parts: { type: 'string', default: '16' },
  runs: { type: 'string', default: '3' },
});
const rows = integerFlag('rows', values.rows, USAGE);
const partCount = integerFlag('parts', values.parts, USAGE);
const runs = integerFlag('runs', values.runs, USAGE);
const { csv } = await churnInputs(rows);
const dir = await scratchDir('scan-parts');
const size = (await stat(csv)).size;
const scan: RecordScanOptions = { format: 'csv', header: true, maxRecordBytes: MAX_RECORD_BYTES, maxRecordLines: MAX_RECORD_LINES };
const source = (name: string) => ({
  file: csv,
  uri: csv,
  maxBytes: Number.MAX_SAFE_INTEGER,
  limitName: 'the benchmark',
  cleanFile: join(dir, `${name}.csv`),
  rejectsFile: join(dir, `${name}.rejects.jsonl`),
});

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; cpu: number; value: T }> {
  const [start, cpu] = [performance.now(), process.cpuUsage()];
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpu: (used.user + used.system) / 1000, value };
}

const whole: number[] = [];
const plan: number[] = [];
const parts: number[] = [];
let same = true;
for (let i = 0; i < runs; i++) {
  log('scan-parts', `round ${i + 1}/${runs}`);
  const w = await timed(() => scanTextSource(source('whole'), scan));
  const p = await timed(() =>
    planParts({ file: csv, uri: csv, partBytes: Math.ceil(size / partCount), maxBytes: size, limitName: 'the benchmark' }, scan),
  );
  const s = await timed(async () => {
    const texts: string[] = [];
    for (const part of p.value.parts) {
      const scanned = await scanTextSource({ ...source(`part-${part.index}`), range: part }, partScanOptions(scan, p.value, part));
      texts.push(await readFile(scanned.cleanFile, 'latin1'));
    }
    return texts.join('');
  });
  same &&= s.value === (await readFile(w.value.cleanFile, 'latin1'));
  whole.push(w.ms);
  plan.push(p.ms);
  parts.push(s.ms);
}
if (!same) throw new Error('the parts scanned other records than the whole file');
const mbps = (ms: number) => `${Math.round(size / 1e6 / (ms / 1000))} MB/s`;
const body = `Command: \`npm run bench:scan-parts\` (options \`-- --rows N --parts N --runs N\`). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Input: the churn example's generator, ${rows.toLocaleString('en-US')} rows of CSV (${(size / 1e6).toFixed(0)} MB). The record scanner ingest runs
before DuckDB reads a file (\`lib/steps/ingest/scan-records.ts\`), timed alone in one process, ${runs} rounds, medians with the range.
The parts' records (${partCount} parts planned, scanned one after another) were checked equal to the whole scan's.

| pass | time | throughput |
|---|---|---|
| whole file, records written | ${spread(whole)} | ${mbps(median(whole))} |
| planning ${partCount} parts (counting pass) | ${spread(plan)} | ${mbps(median(plan))} |
| the ${partCount} parts, one after another | ${spread(parts)} | ${mbps(median(parts))} |`;
await writeSection('Record scanner and part planning (bench/ingest/scan-parts.ts)', body);
process.stdout.write(`${body}\n`);
