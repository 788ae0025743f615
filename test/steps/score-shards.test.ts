import { appendFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline, type PipelineSpec } from '../../lib/index.ts';
import { runLocal, type RunReport } from '../../lib/local/index.ts';
import { listBatches } from '../../lib/runtime/batch-record.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import churn from '../../examples/churn/pipeline.ts';
import { publishBatch } from '../support/batches.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';
import { validateOpenLineageEvent } from '../support/openlineage-validator.ts';

const BUCKET = 'shards-test';
const models = join(import.meta.dirname, '..', 'fixtures', 'models');

/** Scores a published append table of features with the XGBoost fixture; `shards` decides the path. */
function tablePipeline(shards: { minRows: number; rowsPerShard?: number; concurrency?: number }): PipelineSpec {
  return definePipeline({
    name: 'shards',
    datasets: {
      features: { bucket: BUCKET, prefix: 'features', format: 'parquet' },
      predictions: { bucket: BUCKET, prefix: 'predictions', format: 'parquet' },
    },
    triggers: [{ kind: 'schedule', name: 'nightly', cron: 'cron(0 6 * * ? *)', startAt: 'score' }],
    steps: [
      {
        name: 'score',
        kind: 'batchScore',
        input: 'features',
        entityKey: 'id',
        output: 'predictions',
        model: { bucket: 'shards-models', key: 'xgb.json', source: join(models, 'xgb-binary.json') },
        shards,
      },
    ],
  });
}

/** A deterministic pseudo-random sequence, so a failing case can be run again. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Rows of every file of a dataset's batches, in record order, as one list. */
async function predictions(report: RunReport, dataset = 'predictions', bucket = BUCKET) {
  return withStoredObjects(report.s3Directory, [bucket], async (store) => {
    const batches = await listBatches(store, { bucket, prefix: dataset });
    const db = await openDuckDb();
    try {
      const rows: Array<Record<string, unknown>> = [];
      for (const [b, batch] of batches.entries()) {
        for (const [i, file] of batch.files.entries()) {
          const local = join(report.stateDir, `read-${b}-${i}.parquet`);
          await store.download(bucket, file.key, local);
          rows.push(...(await db.all(`SELECT * FROM read_parquet('${local}')`)));
        }
      }
      return { batches, rows };
    } finally {
      db.close();
    }
  });
}

function expectSameScores(sharded: Array<Record<string, unknown>>, single: Array<Record<string, unknown>>, key: string): void {
  expect(sharded.length).toBe(single.length);
  sharded.forEach((row, i) => {
    const other = single[i]!;
    expect(row[key]).toBe(other[key]);
    expect(Math.abs(Number(row.score) - Number(other.score))).toBeLessThanOrEqual(1e-9);
    expect(row.label).toBe(other.label);
    expect(row.model_version).toBe(other.model_version);
  });
}

describe('sharded batch scoring through the local runner', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-shards-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Publishes `sizes.length` batches of features, each file written with its own row-group size, into a new state directory. */
  async function seed(stateDir: string, sizes: number[], rowGroups: number[], seedValue: number): Promise<void> {
    const next = random(seedValue);
    const db = await openDuckDb();
    const files: string[] = [];
    try {
      for (const [b, rows] of sizes.entries()) {
        const file = join(dir, `seed-${seedValue}-${b}.parquet`);
        const values = Array.from({ length: rows }, (_, i) => {
          const nulls = next() < 0.05;
          return `('c${b}-${i}', ${Math.floor(next() * 72)}, ${nulls ? 'NULL' : (next() * 120).toFixed(4)}, ${(next() * 3).toFixed(5)}, ${next() < 0.4 ? 1 : 0}, ${(next() - 0.5).toFixed(6)})`;
        });
        await db.run(
          `CREATE OR REPLACE TABLE t (id VARCHAR, tenure INTEGER, charges DOUBLE, tickets_rate DOUBLE, is_basic INTEGER, noise DOUBLE)`,
        );
        for (let i = 0; i < values.length; i += 1000) await db.run(`INSERT INTO t VALUES ${values.slice(i, i + 1000).join(', ')}`);
        await db.run(`COPY t TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE ${rowGroups[b]})`);
        files.push(file);
      }
    } finally {
      db.close();
    }
    await withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) => {
      for (const [b, file] of files.entries()) {
        const time = new Date(Date.UTC(2026, 0, 1 + b)).toISOString();
        await publishBatch(store, { bucket: BUCKET, prefix: 'features', ref: 'features' }, `b${b}`, file, { time });
      }
    });
  }

  const run = (spec: PipelineSpec, stateDir: string, events: string, onProgress?: Parameters<typeof runLocal>[1]['onProgress']) =>
    runLocal(spec, {
      stateDir,
      schedule: { name: 'nightly', nominalTime: '2026-02-01T06:00:00Z' },
      env: { OPENLINEAGE__TRANSPORT__TYPE: 'file', OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: events, OPENLINEAGE__TRANSPORT__APPEND: 'true' },
      ...(onProgress ? { onProgress } : {}),
    });

  it.each([11, 23, 37])(
    'scores the same rows in the same order as the single path, random batches and shard sizes (seed %i)',
    async (seedValue) => {
      const next = random(seedValue * 7919);
      const sizes = Array.from({ length: 1 + Math.floor(next() * 3) }, () => 2048 + Math.floor(next() * 6000));
      const rowGroups = sizes.map(() => 2048 * (1 + Math.floor(next() * 2)));
      const rowsPerShard = 1 + Math.floor(next() * 6000);
      const single = join(dir, `single-${seedValue}`);
      const sharded = join(dir, `sharded-${seedValue}`);
      await seed(single, sizes, rowGroups, seedValue);
      await seed(sharded, sizes, rowGroups, seedValue);
      const events = join(dir, `events-${seedValue}.jsonl`);
      const one = await run(tablePipeline({ minRows: 10_000_000 }), single, join(dir, `single-events-${seedValue}.jsonl`));
      const many = await run(tablePipeline({ minRows: 1, rowsPerShard, concurrency: 2 }), sharded, events);
      expect(one.status, one.error?.message).toBe('SUCCEEDED');
      expect(many.status, many.error?.message).toBe('SUCCEEDED');

      const a = await predictions(one);
      const b = await predictions(many);
      expect(a.batches).toHaveLength(1);
      expect(b.batches).toHaveLength(1);
      expect(b.batches[0]!.files.length).toBeGreaterThan(1);
      expect(b.batches[0]!.rows).toBe(a.batches[0]!.rows);
      expect(b.batches[0]!.fields).toEqual(a.batches[0]!.fields);
      expectSameScores(b.rows, a.rows, 'id');
      expect(many.steps[0]!.result).toMatchObject({
        rowsIn: a.rows.length,
        rowsOut: a.rows.length,
        modelVersion: one.steps[0]!.result!.modelVersion,
      });
      expect(many.steps[0]!.result!.outputs.map((o) => o.key)).toEqual(b.batches[0]!.files.map((f) => f.key));

      // Lineage: every event schema-valid; one run of the step writes the predictions, as on the single path; each shard a run of its own under the pipeline run.
      const all = await readEvents(events);
      for (const e of all) expect(validateOpenLineageEvent(e)).toEqual([]);
      const complete = all.filter((e) => e.eventType === 'COMPLETE' && e.job.name === 'shards.score' && e.outputs.length > 0);
      expect(complete).toHaveLength(1);
      const out = complete[0]!.outputs[0]!;
      expect(out.outputFacets.outputStatistics.rowCount).toBe(a.rows.length);
      expect(Object.keys(out.facets.columnLineage.fields).sort()).toEqual(['id', 'label', 'score']);
      expect(complete[0]!.inputs.map((i: { name: string }) => i.name).sort()).toEqual(['features', 'xgb.json']);
      // The scoring job has one run, the gather's; the planning Task is a run of the step's plan job, inputs only.
      expect(new Set(all.filter((e) => e.job.name === 'shards.score').map((e) => e.run.runId)).size).toBe(1);
      const plan = all.filter((e) => e.job.name === 'shards.score.plan');
      expect(plan.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
      expect(plan[1]!.outputs).toEqual([]);
      expect(plan[1]!.inputs.map((i: { name: string }) => i.name).sort()).toEqual(['features', 'xgb.json']);
      const shards = all.filter((e) => e.job.name === 'shards.score.shard');
      expect(new Set(shards.map((e) => e.run.runId)).size).toBe(b.batches[0]!.files.length);
      expect(shards.filter((e) => e.eventType === 'COMPLETE')).toHaveLength(b.batches[0]!.files.length);
      for (const e of shards) expect(e.run.facets.parent.run.runId).toBe(many.runId);
      const singleComplete = (await readEvents(join(dir, `single-events-${seedValue}.jsonl`))).find(
        (e) => e.eventType === 'COMPLETE' && e.job.name === 'shards.score',
      );
      expect(complete[0]!.inputs[0].inputFacets).toEqual(singleComplete!.inputs[0].inputFacets);
    },
  );

  it('fails the run naming the shards and records nothing when a shard fails', async () => {
    const stateDir = join(dir, 'failing');
    await seed(stateDir, [4096, 4096], [2048, 2048], 5);
    const events = join(dir, 'failing-events.jsonl');
    // The second batch's file is damaged once the plan has read it, so the shards reading it fail.
    const damaged = join(stateDir, 's3', BUCKET, 'features', 'batch=b1', 'data.parquet._S3rver_object');
    const report = await run(tablePipeline({ minRows: 1, rowsPerShard: 2048 }), stateDir, events, (event) => {
      if (event.type === 'step-end' && event.attempt.state === 'score') appendFileSync(damaged, 'x');
    });
    expect(report.status).toBe('FAILED');
    expect(report.error?.message).toMatch(/2 of 4 shards failed; nothing was recorded/);
    expect(report.error?.message).toMatch(/shard 3 of 4 \(input rows 4096–6143\)/);
    expect(report.steps[0]).toMatchObject({ status: 'FAILED' });
    const { batches } = await predictions(report);
    expect(batches).toEqual([]);
    const all = await readEvents(events);
    for (const e of all) expect(validateOpenLineageEvent(e)).toEqual([]);
    expect(all.filter((e) => e.job.name === 'shards.score' && e.eventType === 'FAIL')).toHaveLength(1);
    // That failed run is the scoring job's only run: it started with the failure Task, after the plan's own run.
    expect(all.filter((e) => e.job.name === 'shards.score').map((e) => e.eventType)).toEqual(['START', 'FAIL']);
    expect(all.filter((e) => e.job.name === 'shards' && e.eventType === 'FAIL')).toHaveLength(1);
  });

  it('scores a feature table as of the run in shards with the scores of the single path', async () => {
    const input = join(dir, 'customers.csv');
    await generateCustomers(input, { rows: 7000 });
    const exampleDir = join(import.meta.dirname, '..', '..', 'examples', 'churn');
    const sharded: PipelineSpec = {
      ...churn,
      steps: churn.steps.map((s) => (s.kind === 'batchScore' ? { ...s, shards: { minRows: 1, rowsPerShard: 2048 } } : s)),
    };
    const runChurn = (spec: PipelineSpec, name: string) =>
      runLocal(spec, { stateDir: join(dir, name), input, baseDir: exampleDir, env: { OPENLINEAGE_DISABLED: 'true' } });
    const one = await runChurn(churn, 'churn-single');
    const many = await runChurn(sharded, 'churn-sharded');
    expect(many.status, many.error?.message).toBe('SUCCEEDED');
    const a = await predictions(one, 'predictions/churn', 'churn-data');
    const b = await predictions(many, 'predictions/churn', 'churn-data');
    expect(b.batches[0]!.files.length).toBeGreaterThan(1);
    const byKey = (rows: Array<Record<string, unknown>>) =>
      [...rows].sort((x, y) => String(x.customer_id).localeCompare(String(y.customer_id)));
    // A feature table's as-of view has no row order of its own, on either path: compared by key.
    expectSameScores(byKey(b.rows), byKey(a.rows), 'customer_id');
  });
});
