import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline } from '../../lib/definition/define-pipeline.ts';
import type { PipelineDefinition } from '../../lib/definition/pipeline-schema.ts';
import { runLocal, type RunReport } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';
import { validateOpenLineageEvent } from '../support/openlineage-validator.ts';

const bucket = 'parts-data';

const SCHEMA = z.object({ id: z.int(), amount: z.number(), label: z.string(), at: z.iso.datetime() });
type Rules = NonNullable<PipelineDefinition['datasets'][string]['tests']>;
const TESTS: Rules = [
  { rule: 'unique', columns: ['id'] },
  { rule: 'range', column: 'amount', min: 0, max: 500, severity: 'warn' },
  { rule: 'rowCount', min: 1 },
];

/**
 * The same pipeline ingesting whole (threshold far above the file) or in parts of `size` bytes; `raw` may leave the
 * schema out or set `extraColumns`, `tests` replaces the staged dataset's rules.
 */
function pipeline(
  format: 'csv' | 'jsonl' | 'parquet',
  parts: { above: number; size: number },
  maxRejectedFraction = 0.9,
  raw: { schema?: boolean; extraColumns?: 'keep' | 'reject' | 'ignore' } = { schema: true },
  tests: Rules = TESTS,
) {
  return definePipeline({
    name: 'parts',
    datasets: {
      raw: {
        bucket,
        prefix: 'raw/events',
        format,
        maxRejectedFraction,
        malformedRecords: 'reject',
        ...(raw.schema ? { schema: SCHEMA } : {}),
        ...(raw.extraColumns ? { extraColumns: raw.extraColumns } : {}),
      },
      staged: { bucket, prefix: 'staged/events', format: 'parquet', tests },
      rejected: { bucket, prefix: 'rejected/events', format: 'parquet' },
      events: { bucket, prefix: 'published/events', format: 'parquet' },
      quarantined: { bucket, prefix: 'quarantine/events', format: 'parquet' },
    },
    triggers: [{ kind: 'upload', dataset: 'raw' }],
    steps: [
      { name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected', parts: { ...parts, concurrency: 3 } },
      { name: 'check', kind: 'dataTests', dataset: 'staged', publishTo: 'events', quarantineTo: 'quarantined' },
    ],
  });
}

/** What the run report says of each step: what both paths must agree on. */
function summary(r: RunReport) {
  return r.steps.map((s) => ({
    name: s.step,
    status: s.status,
    rowsIn: s.result?.rowsIn,
    rowsOut: s.result?.rowsOut,
    rejectedRows: s.result?.rejectedRows,
    tests: s.result?.tests,
    rules: s.result?.rules,
    rejections: s.result?.rejections,
  }));
}

/** A seeded generator, so a failure can be reproduced from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Random records, some bad: wrong types, quoted line breaks and delimiters, short records, and (CSV) a runaway quote. */
function generate(format: 'csv' | 'jsonl', seed: number, rows: number): string {
  const r = random(seed);
  const lines: string[] = format === 'csv' ? ['id,amount,label,at'] : [];
  for (let i = 0; i < rows; i++) {
    const roll = r();
    const id = roll < 0.02 ? 'x' + i : String(roll < 0.04 ? i - 1 : i);
    const amount = roll > 0.97 ? 'lots' : (r() * 600).toFixed(2);
    const label = roll > 0.9 ? 'two\nlines, "quoted"' : `label ${Math.floor(r() * 50)}`;
    const at = `2026-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}T10:00:00Z`;
    if (format === 'csv') {
      if (roll > 0.95 && roll < 0.955) lines.push(`${id},${amount}`);
      else lines.push(`${id},${amount},"${label.replace(/"/g, '""')}",${at}`);
    } else if (roll > 0.95 && roll < 0.955) lines.push(`{"id": ${i}, "amount": `);
    else
      lines.push(
        JSON.stringify({
          id: /^\d+$/.test(id) ? Number(id) : id,
          amount: Number.isNaN(Number(amount)) ? amount : Number(amount),
          label,
          at,
        }),
      );
  }
  // A quote that never closes near the end: the bounded scanner rejects it and reads on.
  if (format === 'csv') lines.splice(rows - 5, 0, `${rows + 7},1.5,"runaway,2026-01-01T00:00:00Z`);
  return `${lines.join('\n')}\n`;
}

describe('an upload ingested in parts gives what the single path gives', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-ingest-parts-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (name: string, spec: ReturnType<typeof pipeline>, input: string, onPlanned?: (stateDir: string) => void) => {
    const stateDir = join(dir, name);
    const eventsFile = join(stateDir, 'events.jsonl');
    const report = await runLocal(spec, {
      stateDir,
      input,
      dataset: 'raw',
      baseDir: dir,
      env: {
        OPENLINEAGE__TRANSPORT__TYPE: 'file',
        OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: eventsFile,
        OPENLINEAGE__TRANSPORT__APPEND: 'true',
      },
      onProgress: (event) => {
        if (event.type === 'step-end' && event.attempt.state === 'ingest.plan') onPlanned?.(stateDir);
      },
    });
    return { report, stateDir, eventsFile };
  };

  /** Every row of a step's outputs of one dataset, in a stable order. */
  const rowsOf = async (stateDir: string, report: RunReport, dataset: string, order: string) => {
    const outputs = report.steps.find((s) => s.step === 'ingest')?.result?.outputs.filter((o) => o.dataset === dataset) ?? [];
    return withStoredObjects(join(stateDir, 's3'), [bucket], async (store) => {
      const files: string[] = [];
      for (const [i, o] of outputs.entries()) {
        const file = join(stateDir, `${dataset}-${i}.parquet`);
        await store.download(o.bucket, o.key, file);
        files.push(file);
      }
      if (files.length === 0) return [];
      const db = await openDuckDb();
      try {
        return await db.all(`SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}]) ORDER BY ${order}`);
      } finally {
        db.close();
      }
    });
  };

  for (const [format, seed, size] of [
    ['csv', 1, 2048],
    ['csv', 2, 5000],
    ['jsonl', 3, 3000],
  ] as const) {
    it(`${format}, seed ${seed}, parts of ${size} bytes: the same staged rows, rejects, verdicts and report`, async () => {
      const input = join(dir, `events-${seed}.${format === 'csv' ? 'csv' : 'jsonl'}`);
      await writeFile(input, generate(format, seed, 400));
      const whole = await run(`whole-${seed}`, pipeline(format, { above: 1024 ** 3, size }), input);
      const split = await run(`split-${seed}`, pipeline(format, { above: 1024, size }), input);
      // The duplicated ids fail the unique rule: both runs quarantine the batch with the same message.

      expect(whole.report.error?.name).toBe('Sluice.DATA_TESTS_FAILED');
      expect(split.report.error).toEqual(whole.report.error);
      const ingest = (r: RunReport) => r.steps.find((s) => s.step === 'ingest')!.result!;
      expect(ingest(split.report).outputs.filter((o) => o.dataset === 'staged').length).toBeGreaterThan(1);
      expect(summary(split.report)).toEqual(summary(whole.report));
      expect(await rowsOf(split.stateDir, split.report, 'staged', 'id, "at", label')).toEqual(
        await rowsOf(whole.stateDir, whole.report, 'staged', 'id, "at", label'),
      );
      const rejects = (r: typeof whole) => rowsOf(r.stateDir, r.report, 'rejected', 'source_row, source_line');
      const rejected = await rejects(whole);
      expect(rejected.length).toBeGreaterThan(10);
      expect(await rejects(split)).toEqual(rejected);
      expect(rejected.some((r) => String(r.raw ?? '').includes('runaway')) || format === 'jsonl').toBe(true);

      // Lineage: the plan, every part and the gather are step runs of the pipeline run, every event schema-valid; the
      // gather is the ingest job's run, with the input and output datasets the single path's run has.
      const events = await readEvents(split.eventsFile);
      for (const e of events) expect([e.job.name, validateOpenLineageEvent(e)]).toEqual([e.job.name, []]);
      const pipelineRun = events.find((e) => e.job.name === 'parts')!.run.runId;
      const runsOf = (job: string) => new Set(events.filter((e) => e.job.name === job).map((e) => e.run.runId));
      const parts = ingest(split.report).outputs.filter((o) => o.dataset === 'staged').length;
      expect(runsOf('parts.ingest.plan').size).toBe(1);
      expect(runsOf('parts.ingest.part').size).toBeGreaterThanOrEqual(parts);
      expect(runsOf('parts.ingest').size).toBe(1);
      for (const e of events.filter((e) => e.job.name.startsWith('parts.'))) {
        expect(e.run.facets.parent.run.runId).toBe(pipelineRun);
        expect(['START', 'COMPLETE', 'FAIL']).toContain(e.eventType);
      }
      // The step's time in the report runs from its plan's start to its gather's end, the parts between included.
      const at = (job: string, type: string) => Date.parse(events.find((e) => e.job.name === job && e.eventType === type)!.eventTime);
      const ingestMs = split.report.steps.find((s) => s.step === 'ingest')!.durationMs;
      expect(ingestMs).toBeGreaterThanOrEqual(at('parts.ingest', 'COMPLETE') - at('parts.ingest.plan', 'START') - 2);
      for (const job of ['parts.ingest.plan', 'parts.ingest.part', 'parts.ingest']) {
        const ended = events.filter((e) => e.job.name === job && e.eventType !== 'START').length;
        expect(ended).toBe(runsOf(job).size);
      }
      const datasets = (r: typeof whole) => {
        return readEvents(r.eventsFile).then((all) => {
          const done = all.find((e) => e.job.name === 'parts.ingest' && e.eventType === 'COMPLETE')!;
          return {
            inputs: done.inputs.map((d: { name: string; facets: Record<string, unknown> }) => [d.name, d.facets['version']]),
            outputs: done.outputs.map((d: { name: string }) => d.name).sort(),
            rows: done.inputs[0].inputFacets.sluice_ingest.rejectedRows,
          };
        });
      };
      expect(await datasets(split)).toEqual(await datasets(whole));
    });
  }

  /** The two runs' reports, staged rows and rejects, compared as the CSV cases compare them. */
  const sameAsWhole = async (
    input: string,
    size: number,
    name: string,
    define: (parts: { above: number; size: number }) => ReturnType<typeof pipeline> = (parts) => pipeline('parquet', parts),
  ) => {
    const whole = await run(`whole-${name}`, define({ above: 1024 ** 3, size }), input);
    const split = await run(`split-${name}`, define({ above: 1024, size }), input);
    expect(split.report.error).toEqual(whole.report.error);
    expect(summary(split.report)).toEqual(summary(whole.report));
    expect(await rowsOf(split.stateDir, split.report, 'staged', 'id, "at", label')).toEqual(
      await rowsOf(whole.stateDir, whole.report, 'staged', 'id, "at", label'),
    );
    const rejects = (r: typeof whole) => rowsOf(r.stateDir, r.report, 'rejected', 'source_row, source_line');
    expect(await rejects(split)).toEqual(await rejects(whole));
    const events = await readEvents(split.eventsFile);
    for (const e of events) expect([e.job.name, validateOpenLineageEvent(e)]).toEqual([e.job.name, []]);
    const parts = new Set(events.filter((e) => e.job.name === 'parts.ingest.part').map((e) => e.run.runId)).size;
    return { whole, split, parts, rejected: await rejects(whole) };
  };

  it('a Parquet upload in parts of whole row groups gives what the single path gives, rows numbered as in the file', async () => {
    // DuckDB's writer: the generated records (bad ones too) as text columns, in row groups of 2,048 rows.
    const csv = join(dir, 'events-parquet.csv');
    await writeFile(csv, generate('csv', 11, 12_000).replace(/^.*"runaway.*\n/m, ''));
    const input = join(dir, 'events.parquet');
    const db = await openDuckDb();
    try {
      await db.run(`COPY (SELECT * FROM read_csv('${csv}', all_varchar = true, header = true, strict_mode = false, ignore_errors = true))
        TO '${input}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
    } finally {
      db.close();
    }
    const { whole, parts, rejected } = await sameAsWhole(input, 40_000, 'parquet');
    expect(parts).toBeGreaterThan(2);
    expect(whole.report.steps[0]!.result!.rowsIn).toBeGreaterThan(10_000);
    // The rejected rows name their row in the file: the id in it says which row it was.
    expect(rejected.length).toBeGreaterThan(100);
    const source = await openDuckDb();
    try {
      const rows = await source.all(`SELECT row_number() OVER () AS n, id FROM read_parquet('${input}')`);
      const idAt = new Map(rows.map((r) => [Number(r.n), r.id]));
      for (const r of rejected.slice(0, 50)) expect(JSON.parse(String(r.raw)).id).toBe(idAt.get(Number(r.source_row)));
    } finally {
      source.close();
    }
  });

  it("a Parquet upload from another writer (Arrow's: page index, dictionaries, zstd, nested columns) splits the same", async () => {
    const input = join(dir, 'arrow-row-groups.parquet');
    await writeFile(input, await readFile(new URL('../fixtures/parquet/arrow-row-groups.parquet', import.meta.url)));
    const { whole, parts, rejected } = await sameAsWhole(input, 8 * 1024, 'arrow');
    expect(parts).toBeGreaterThan(2);
    expect(whole.report.steps[0]!.result!.rowsIn).toBe(3000);
    expect(whole.report.steps[0]!.result!.rowsOut).toBeGreaterThan(2500);
    expect(whole.report.status).toBe('SUCCEEDED');
    expect(rejected.length).toBeGreaterThan(0);
  });

  /** JSON Lines whose records have different keys: some only late in the file, in varying order, nested values. */
  const varied = (seed: number, rows: number, extra: (i: number) => Record<string, unknown>) => {
    const r = random(seed);
    const lines: string[] = [];
    for (let i = 0; i < rows; i++) {
      const roll = r();
      if (roll < 0.01) lines.push('{"id": 1, "amount": ');
      else if (roll < 0.02) lines.push('[1, 2]');
      else {
        const record: Record<string, unknown> = {
          ...(roll < 0.5 ? { note: `n${i}` } : {}),
          id: roll < 0.05 ? `x${i}` : i,
          amount: Number((r() * 600).toFixed(2)),
          label: `label ${i % 7}`,
          at: '2026-03-01T10:00:00Z',
          ...extra(i),
        };
        lines.push(JSON.stringify(record));
      }
    }
    return `${lines.join('\n')}\n`;
  };
  const jsonPipeline =
    (raw: { schema?: boolean; extraColumns?: 'keep' | 'reject' | 'ignore' }) => (parts: { above: number; size: number }) =>
      pipeline('jsonl', parts, 0.9, raw, [{ rule: 'rowCount', min: 1 }]);
  // Keys that appear only in the last part, or in the middle, nested: the parts find different columns.
  const lateKeys = (i: number) => ({
    ...(i > 520 ? { late: { nested: [i] } } : {}),
    ...(i % 97 === 0 ? { rare: i } : {}),
  });

  for (const [name, raw] of [
    ['without a schema', {}],
    ['with a schema and extraColumns "keep"', { schema: true, extraColumns: 'keep' }],
  ] as const) {
    it(`JSON Lines ${name}: parts that find different keys stage the whole object's columns, as the single path`, async () => {
      const input = join(dir, `varied-${name.length}.jsonl`);
      await writeFile(input, varied(21, 600, lateKeys));
      const { whole, split, parts } = await sameAsWhole(input, 4000, `varied-${name.length}`, jsonPipeline(raw));
      expect(parts).toBeGreaterThan(3);
      expect(whole.report.status).toBe('SUCCEEDED');
      // Every staged file has the same columns, in the single path's order.
      const columns = async (r: typeof whole) => {
        const outputs = r.report.steps[0]!.result!.outputs.filter((o) => o.dataset === 'staged');
        return withStoredObjects(join(r.stateDir, 's3'), [bucket], async (store) => {
          const db = await openDuckDb();
          try {
            const seen = new Set<string>();
            for (const [i, o] of outputs.entries()) {
              const file = join(r.stateDir, `columns-${i}.parquet`);
              await store.download(o.bucket, o.key, file);
              seen.add(
                (await db.all(`SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('${file}'))`))
                  .map((c) => c.column_name)
                  .join(','),
              );
            }
            return [...seen];
          } finally {
            db.close();
          }
        });
      };
      const single = await columns(whole);
      expect(single[0]).toContain('late');
      expect(single[0]).toContain('rare');
      expect(await columns(split)).toEqual(single);
    });
  }

  it('JSON Lines with extraColumns "reject": an undeclared key in a late part fails the whole upload, as the single path', async () => {
    const input = join(dir, 'varied-reject.jsonl');
    await writeFile(
      input,
      varied(22, 600, (i) => (i === 590 ? { surprise: true } : {})),
    );
    const define = jsonPipeline({ schema: true, extraColumns: 'reject' });
    const whole = await run('reject-whole', define({ above: 1024 ** 3, size: 4000 }), input);
    const split = await run('reject-split', define({ above: 1024, size: 4000 }), input);
    expect(whole.report.error?.name).toBe('Sluice.INGEST_EXTRA_COLUMNS');
    expect(split.report.error).toEqual(whole.report.error);
  });

  it('fails as the single path does when the whole object breaks the ingest contract, staging nothing', async () => {
    const input = join(dir, 'events-contract.csv');
    await writeFile(input, generate('csv', 7, 300));
    const whole = await run('contract-whole', pipeline('csv', { above: 1024 ** 3, size: 2048 }, 0.05), input);
    const split = await run('contract-split', pipeline('csv', { above: 1024, size: 2048 }, 0.05), input);
    expect(whole.report.error?.name).toBe('Sluice.INGEST_TOO_MANY_REJECTED');
    // The same message, but for where the rejected rows are: one file, or the folder of the parts' files.
    const folder = (e: RunReport['error']) => ({ ...e, message: e?.message.replace(/(batch=[^/]+\/)\S+$/, '$1') });
    expect(split.report.error?.message).toMatch(/batch=[^/]+\/$/);
    expect(folder(split.report.error)).toEqual(folder(whole.report.error));
    const staged = (r: typeof whole) =>
      withStoredObjects(join(r.stateDir, 's3'), [bucket], async (store) => (await store.list(bucket, 'staged/events')).length);
    expect(await staged(whole)).toBe(0);
    expect(await staged(split)).toBe(0);
    // The rejected rows are kept, in both.
    const rejected = (r: typeof whole) =>
      withStoredObjects(join(r.stateDir, 's3'), [bucket], async (store) => (await store.list(bucket, 'rejected/events/_batches')).length);
    expect(await rejected(split)).toBe(1);
    expect(await rejected(whole)).toBe(1);
  });

  it('fails the run and stages nothing when a part fails (the upload was replaced after the plan)', async () => {
    const input = join(dir, 'events-replaced.csv');
    const text = generate('csv', 8, 300);
    await writeFile(input, text);
    // The embedded S3 keeps the object's bytes in a file: other bytes there are another version than the run's.
    const split = await run('replaced', pipeline('csv', { above: 1024, size: 2048 }), input, (stateDir) =>
      writeFileSync(join(stateDir, 's3', bucket, 'raw', 'events', 'events-replaced.csv._S3rver_object'), text.replace(/label/g, 'LABEL')),
    );
    expect(split.report.status).toBe('FAILED');
    expect(split.report.steps.map((s) => [s.step, s.status])).toEqual([
      ['ingest', 'FAILED'],
      ['check', 'NOT_RUN'],
    ]);
    const keys = await withStoredObjects(join(split.stateDir, 's3'), [bucket], async (store) =>
      (await store.list(bucket, '')).map((o) => o.key).filter((k) => !k.startsWith('raw/') && !k.startsWith('_sluice/')),
    );
    expect(keys).toEqual([]);
    const events = await readEvents(split.eventsFile);
    const failed = events.filter((e) => e.job.name === 'parts.ingest.part' && e.eventType === 'FAIL');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.run.facets.errorMessage.message).toMatch(/no longer the version/);
  });
});
