import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline, isSluiceError, type PipelineDefinition } from '../../lib/index.ts';
import { checkBeforeRun, runLocal } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { publishBatch } from '../support/batches.ts';
import { captureStderr } from '../support/environment.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';

const BUCKET = 'feature-tables-test';
// score = x: each prediction shows exactly which feature row was read.
const IDENTITY_MODEL = { type: 'linear_regression', features: ['x'], coefficients: [1], intercept: 0 };

/** A pipeline whose nightly schedule scores a feature table, and whose upload run builds it first. */
function definition(featureTable: Record<string, unknown> = { key: 'customer_id', eventTime: 'feature_time' }): PipelineDefinition {
  return {
    name: 'asof',
    datasets: {
      features: { bucket: BUCKET, prefix: 'features/customers', format: 'parquet', featureTable } as never,
      predictions: { bucket: BUCKET, prefix: 'predictions', format: 'parquet' },
    },
    triggers: [{ kind: 'schedule', name: 'nightly', cron: 'cron(0 6 * * ? *)' }],
    steps: [
      {
        name: 'score',
        kind: 'batchScore',
        input: 'features',
        entityKey: 'customer_id',
        model: { bucket: 'asof-models', key: 'model.json', source: 'model.json' },
        output: 'predictions',
      },
    ],
  };
}

/** One feature batch: its id, when it was published, and rows (customer, event time, x). */
type Batch = { id: string; time: string; rows: Array<[string, string, number]> };

describe('feature tables', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-feature-tables-'));
    await writeFile(join(dir, 'model.json'), JSON.stringify(IDENTITY_MODEL));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Publishes the batches, fires the schedule at `nominal`, returns the predictions by customer, the score step's events and stderr. */
  async function score(batches: Batch[], nominal: string, featureTable?: Record<string, unknown>) {
    const stateDir = join(dir, `state-${n++}`);
    const db = await openDuckDb();
    try {
      await withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) => {
        for (const b of batches) {
          const file = join(dir, `${b.id}-${n}.parquet`);
          const values = b.rows.map(([c, t, x]) => `('${c}', TIMESTAMPTZ '${t}', ${x})`).join(', ');
          await db.run(`COPY (SELECT * FROM (VALUES ${values}) v(customer_id, feature_time, x)) TO '${file}' (FORMAT parquet)`);
          await publishBatch(store, { bucket: BUCKET, prefix: 'features/customers', ref: 'features' }, b.id, file, { time: b.time });
        }
      });
    } finally {
      db.close();
    }
    const events = join(stateDir, 'events.jsonl');
    const { result: report, stderr } = await captureStderr(() =>
      runLocal(definePipeline(definition(featureTable)), {
        stateDir,
        baseDir: dir,
        schedule: { name: 'nightly', nominalTime: nominal },
        env: {
          OPENLINEAGE__TRANSPORT__TYPE: 'file',
          OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: events,
          OPENLINEAGE__TRANSPORT__APPEND: 'true',
        },
      }),
    );
    expect(report.error, stderr).toBeUndefined();
    const out = report.steps[0]!.result!.outputs[0]!;
    const rows = await withStoredObjects(join(stateDir, 's3'), [BUCKET, 'asof-models'], async (store) => {
      const file = join(dir, `out-${n++}.parquet`);
      await store.download(out.bucket, out.key, file);
      const reader = await openDuckDb();
      try {
        return await reader.all(`SELECT customer_id, score FROM read_parquet('${file}') ORDER BY customer_id`);
      } finally {
        reader.close();
      }
    });
    const complete = (await readEvents(events)).find((e) => e.job.name === 'asof.score' && e.eventType === 'COMPLETE')!;
    return { scores: Object.fromEntries(rows.map((r) => [r.customer_id, r.score])), complete, stderr };
  }

  // The run at 2026-11-30T06:00 must see c1 = 2 and c2 = 20. A naive read of the latest row per customer sees the
  // future-dated row of a batch published before the run (c1 = 3) and the batch published after it (c2 = 30, c3).
  const history: Batch[] = [
    {
      id: 'nov28',
      time: '2026-11-28T06:00:00Z',
      rows: [
        ['c1', '2026-11-28T06:00:00Z', 1],
        ['c2', '2026-11-28T06:00:00Z', 10],
      ],
    },
    {
      id: 'nov29',
      time: '2026-11-29T06:00:00Z',
      rows: [
        ['c1', '2026-11-29T06:00:00Z', 2],
        ['c1', '2026-12-05T00:00:00Z', 3],
        ['c2', '2026-11-30T06:00:00Z', 20],
      ],
    },
    {
      id: 'dec01',
      time: '2026-12-01T06:00:00Z',
      rows: [
        ['c2', '2026-11-30T05:00:00Z', 30],
        ['c3', '2026-12-01T06:00:00Z', 40],
      ],
    },
  ];

  it('scores each entity with its latest features at or before the nominal time, never later ones', async () => {
    const { scores, complete } = await score(history, '2026-11-30T06:00:00Z');
    expect(scores).toEqual({ c1: 2, c2: 20 });
    // The batch published after the nominal time is not read at all.
    expect(complete.inputs.find((i: any) => i.name === 'features/customers').inputFacets.subset.inputCondition.partitions).toEqual([
      { dimensions: { batch: 'nov28' } },
      { dimensions: { batch: 'nov29' } },
    ]);
  });

  it('reads what it read before when a past nominal time runs again after newer batches', async () => {
    const { scores } = await score(history, '2026-11-28T12:00:00Z');
    expect(scores).toEqual({ c1: 1, c2: 10 });
  });

  it('keeps the later batch when two batches hold one entity at the same event time (a correction)', async () => {
    const { scores } = await score(
      [
        { id: 'first', time: '2026-11-28T06:00:00Z', rows: [['c1', '2026-11-28T06:00:00Z', 1]] },
        { id: 'fix', time: '2026-11-29T06:00:00Z', rows: [['c1', '2026-11-28T06:00:00Z', 5]] },
      ],
      '2026-11-30T06:00:00Z',
    );
    expect(scores).toEqual({ c1: 5 });
  });

  it('leaves out entities whose latest features are older than maxAge, and says so', async () => {
    const { scores, stderr } = await score(history, '2026-11-30T06:00:00Z', {
      key: ['customer_id'],
      eventTime: 'feature_time',
      maxAge: '12h',
    });
    // c1's latest row at the nominal time is from Nov 29 06:00, a day old: too old. c2's is from the nominal time.
    expect(scores).toEqual({ c2: 20 });
    expect(stderr).toContain(
      'features as of 2026-11-30T06:00:00.000Z: 1 entity is left out: its latest features are older than maxAge 12h',
    );
    expect(stderr).toContain('row with an event time after 2026-11-30T06:00:00.000Z not read');
  });

  it('fails a run when no entity has features at or before the nominal time, rather than scoring nothing', async () => {
    // Rows stamped with the wall clock a moment after the run's time: every one is in the run's future.
    const stateDir = join(dir, `state-${n++}`);
    await withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) => {
      const db = await openDuckDb();
      const file = join(dir, `wallclock-${n}.parquet`);
      await db.run(
        `COPY (SELECT 'c1' AS customer_id, TIMESTAMPTZ '2026-11-28 06:00:05Z' AS feature_time, 1 AS x) TO '${file}' (FORMAT parquet)`,
      );
      db.close();
      await publishBatch(store, { bucket: BUCKET, prefix: 'features/customers', ref: 'features' }, 'wallclock', file, {
        time: '2026-11-28T06:00:00Z',
      });
    });
    const { result: report } = await captureStderr(() =>
      runLocal(definePipeline(definition()), {
        stateDir,
        baseDir: dir,
        schedule: { name: 'nightly', nominalTime: '2026-11-28T06:00:00Z' },
        env: { OPENLINEAGE_DISABLED: 'true' },
      }),
    );
    expect(report.status).toBe('FAILED');
    expect(report.steps[0]!.error).toContain(
      `feature table s3://${BUCKET}/features/customers/ has no entity to score as of 2026-11-28T06:00:00.000Z: 1 row with an event time after 2026-11-28T06:00:00.000Z not read; stamp each row with the time its values were known (e.g. $nominal_time AS feature_time in the feature SQL)`,
    );
  });

  it('fails a run when no batch was published at or before the nominal time', async () => {
    const stateDir = join(dir, `state-${n++}`);
    await withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) => {
      const db = await openDuckDb();
      const file = join(dir, `late-${n}.parquet`);
      await db.run(
        `COPY (SELECT 'c1' AS customer_id, TIMESTAMPTZ '2026-12-01 00:00:00Z' AS feature_time, 1 AS x) TO '${file}' (FORMAT parquet)`,
      );
      db.close();
      await publishBatch(store, { bucket: BUCKET, prefix: 'features/customers', ref: 'features' }, 'late', file, {
        time: '2026-12-01T00:00:00Z',
      });
    });
    const { result: report } = await captureStderr(() =>
      runLocal(definePipeline(definition()), {
        stateDir,
        baseDir: dir,
        schedule: { name: 'nightly', nominalTime: '2026-11-30T06:00:00Z' },
        env: { OPENLINEAGE_DISABLED: 'true' },
      }),
    );
    expect(report.status).toBe('FAILED');
    expect(report.steps[0]!.error).toContain(
      `no batches of feature table s3://${BUCKET}/features/customers/ were published at or before 2026-11-30T06:00:00.000Z`,
    );
  });

  const problems = (change: (d: any) => void): string[] => {
    const d = definition() as any;
    change(d);
    try {
      definePipeline(d);
      return [];
    } catch (error) {
      return isSluiceError(error) ? [...error.details] : [String(error)];
    }
  };

  it.each<[string, (d: any) => void, string]>([
    [
      'declares semantics of its own',
      (d) => (d.datasets.features.semantics = 'snapshot'),
      'datasets.features.semantics: a feature table keeps the latest row per key and event time (an upsert by customer_id, feature_time); remove semantics',
    ],
    ['is not Parquet', (d) => (d.datasets.features.format = 'csv'), 'datasets.features.featureTable: a feature table is Parquet'],
    [
      'uses its event time as a key',
      (d) => (d.datasets.features.featureTable.key = ['customer_id', 'feature_time']),
      'datasets.features.featureTable.eventTime: "feature_time" is also a key column',
    ],
    [
      'names a key its schema lacks',
      (d) => (d.datasets.features.schema = z.object({ id: z.string(), feature_time: z.iso.datetime() })),
      'datasets.features.featureTable.key[0]: "customer_id" is not a column of dataset "features" (columns: id, feature_time)',
    ],
    [
      'has an event time that is not a time',
      (d) => (d.datasets.features.schema = z.object({ customer_id: z.string(), feature_time: z.string() })),
      'datasets.features.featureTable.eventTime: an event time is a timestamp or date column; "feature_time" is string',
    ],
    [
      'has a maxAge that is not a duration',
      (d) => (d.datasets.features.featureTable.maxAge = '2 days'),
      'datasets.features.featureTable.maxAge: expected a duration like "30m", "26h" or "7d", got "2 days"',
    ],
    ['has no event time', (d) => delete d.datasets.features.featureTable.eventTime, 'datasets.features.featureTable.eventTime: required'],
  ])('is refused when a feature table %s', (_, change, expected) => {
    expect(problems(change).join('\n')).toContain(expected);
  });

  it('is refused before a run when a feature SQL writing a feature table lacks its event time', async () => {
    const spec = definePipeline({
      name: 'build',
      datasets: {
        customers: {
          bucket: BUCKET,
          prefix: 'published/customers',
          format: 'parquet',
          schema: z.object({ customer_id: z.string(), spend: z.number() }),
        },
        features: { bucket: BUCKET, prefix: 'features', format: 'parquet', featureTable: { key: 'customer_id', eventTime: 'as_of' } },
      },
      triggers: [{ kind: 'schedule', name: 'nightly', cron: 'cron(0 6 * * ? *)' }],
      steps: [
        {
          name: 'features',
          kind: 'featureBuild',
          inputs: { c: 'customers' },
          sql: 'SELECT customer_id, sum(spend) AS spend, CAST($nominal_time AS VARCHAR) AS as_of FROM c GROUP BY 1',
          output: 'features',
        },
      ],
    });
    const { problems: found } = await checkBeforeRun(spec, { baseDir: dir });
    expect(found).toEqual([
      'steps[0].sql: the result does not fit feature table "features": event-time column as_of is VARCHAR; expected TIMESTAMP, TIMESTAMP WITH TIME ZONE or DATE',
    ]);
  });
});
