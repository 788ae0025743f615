import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline, isSluiceError } from '../../lib/index.ts';
import { buildTrainingSet } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3 } from '../../lib/local/embedded-s3.ts';
import { ObjectStore } from '../../lib/runtime/object-store.ts';
import { publishBatch } from '../support/batches.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';

const BUCKET = 'training-test';

/** Two feature tables of one entity: activity (TIMESTAMPTZ event times, no maxAge) and billing (DATE, maxAge 2 days). */
const spec = definePipeline({
  name: 'shop',
  datasets: {
    activity: {
      bucket: BUCKET,
      prefix: 'features/activity',
      format: 'parquet',
      featureTable: { key: 'customer_id', eventTime: 'feature_time' },
    },
    billing: {
      bucket: BUCKET,
      prefix: 'features/billing',
      format: 'parquet',
      featureTable: { key: ['customer_id'], eventTime: 'day', maxAge: '2d' },
    },
    outcomes: { bucket: BUCKET, prefix: 'labels/outcomes', format: 'parquet' },
    predictions: { bucket: BUCKET, prefix: 'predictions', format: 'parquet' },
  },
  triggers: [{ kind: 'schedule', name: 'nightly', cron: 'cron(0 6 * * ? *)' }],
  steps: [
    {
      name: 'score',
      kind: 'batchScore',
      input: 'activity',
      entityKey: 'customer_id',
      model: { bucket: 'shop-models', key: 'm.json' },
      output: 'predictions',
    },
  ],
});

// Activity rows (customer, event time, visits); one batch holds a customer's future-dated row, one batch arrives late.
const ACTIVITY: Array<{ batch: string; published: string; rows: Array<[string, string, number]> }> = [
  {
    batch: 'a1',
    published: '2026-11-01T06:00:00Z',
    rows: [
      ['007', '2026-11-01T06:00:00Z', 1],
      ['042', '2026-11-01T06:00:00Z', 10],
    ],
  },
  {
    batch: 'a2',
    published: '2026-11-10T06:00:00Z',
    rows: [
      ['007', '2026-11-10T06:00:00Z', 2],
      ['007', '2026-11-20T06:00:00Z', 3],
      ['042', '2026-11-10T06:00:00Z', 20],
    ],
  },
  { batch: 'a3', published: '2026-11-25T06:00:00Z', rows: [['042', '2026-11-05T00:00:00Z', 15]] },
];
const BILLING: Array<[string, string, number]> = [
  ['007', '2026-11-08', 99.5],
  ['042', '2026-11-09', 12],
  ['042', '2026-11-14', 14],
];
// Labels as a CSV, ids with leading zeros; one label before any feature, one exactly at an event time.
const LABELS = [
  ['007', '2026-11-05T00:00:00Z', 0],
  ['007', '2026-11-10T06:00:00Z', 1],
  ['007', '2026-11-15T12:00:00+02:00', 1],
  ['042', '2026-11-06T00:00:00Z', 0],
  ['042', '2026-11-15T00:00:00Z', 1],
  ['042', '2026-10-01T00:00:00Z', 0],
  ['999', '2026-11-15T00:00:00Z', 1],
] as const;

/** The reference: for each label, the row of its customer with the greatest event time at or before the label's time. */
function asOf<T>(rows: ReadonlyArray<readonly [string, string, T]>, customer: string, time: string, maxAgeMs = Infinity): T | null {
  const t = Date.parse(time);
  const known = rows.filter(([c, at]) => c === customer && Date.parse(at) <= t).sort((a, b) => Date.parse(a[1]) - Date.parse(b[1]));
  const latest = known.at(-1);
  return latest && t - Date.parse(latest[1]) <= maxAgeMs ? latest[2] : null;
}

describe('training sets', () => {
  let dir: string;
  let stateDir: string;
  let labels: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-training-'));
    stateDir = join(dir, 'state');
    labels = join(dir, 'labels.csv');
    await writeFile(labels, `customer_id,observed_at,churned\n${LABELS.map((l) => l.join(',')).join('\n')}\n`);
    const db = await openDuckDb();
    try {
      await withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) => {
        for (const b of ACTIVITY) {
          const file = join(dir, `${b.batch}.parquet`);
          const values = b.rows.map(([c, t, v]) => `('${c}', TIMESTAMPTZ '${t}', ${v})`).join(', ');
          await db.run(`COPY (SELECT * FROM (VALUES ${values}) v(customer_id, feature_time, visits)) TO '${file}' (FORMAT parquet)`);
          await publishBatch(store, { bucket: BUCKET, prefix: 'features/activity', ref: 'activity' }, b.batch, file, { time: b.published });
        }
        const file = join(dir, 'billing.parquet');
        const values = BILLING.map(([c, d, v]) => `('${c}', DATE '${d}', ${v})`).join(', ');
        await db.run(`COPY (SELECT * FROM (VALUES ${values}) v(customer_id, day, spend)) TO '${file}' (FORMAT parquet)`);
        await publishBatch(store, { bucket: BUCKET, prefix: 'features/billing', ref: 'billing' }, 'b1', file, {
          time: '2026-11-14T06:00:00Z',
        });
        const outcomes = join(dir, 'outcomes.parquet');
        await db.run(
          `COPY (SELECT '042' AS customer_id, TIMESTAMP '2026-11-15 00:00:00' AS observed_at, true AS churned) TO '${outcomes}' (FORMAT parquet)`,
        );
        await publishBatch(store, { bucket: BUCKET, prefix: 'labels/outcomes', ref: 'outcomes' }, 'o1', outcomes, {
          time: '2026-11-16T00:00:00Z',
        });
      });
    } finally {
      db.close();
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const read = async (file: string) => {
    const db = await openDuckDb();
    try {
      return await db.all(`SELECT * FROM read_parquet('${file}')`);
    } finally {
      db.close();
    }
  };
  const lineageEnv = (events: string) => ({
    OPENLINEAGE__TRANSPORT__TYPE: 'file',
    OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: events,
    OPENLINEAGE__TRANSPORT__APPEND: 'true',
  });

  it('gives every label the feature values known at its time, never later ones', async () => {
    const out = join(dir, 'training.parquet');
    const report = await buildTrainingSet(spec, {
      labels,
      features: ['activity', 'billing'],
      asOf: 'observed_at',
      out,
      stateDir,
      env: lineageEnv(join(dir, 'events.jsonl')),
    });
    const rows = await read(out);
    const activity = ACTIVITY.flatMap((b) => b.rows);
    expect(rows.map((r) => [r.customer_id, r.visits, r.spend])).toEqual(
      LABELS.map(([c, t]) => [c, asOf(activity, c, t), asOf(BILLING, c, t, 2 * 86_400_000)]),
    );
    // The naive query a training set is often built with, each customer's latest row whatever the label's time, leaks:
    // it gives 007's labels of Nov 5 and Nov 10 the visits of Nov 20, and 042's label of Oct 1 a row from November.
    const db = await openDuckDb();
    const naive = await db
      .all(
        `SELECT l.customer_id, l.observed_at, f.visits FROM read_csv('${labels}', all_varchar = true) l LEFT JOIN (
           SELECT customer_id, arg_max(visits, feature_time) AS visits
           FROM read_parquet([${ACTIVITY.map((b) => `'${join(dir, `${b.batch}.parquet`)}'`).join(', ')}]) GROUP BY customer_id
         ) f USING (customer_id)`,
      )
      .finally(() => db.close());
    const naiveVisits = new Map(naive.map((r) => [`${r.customer_id} ${r.observed_at}`, r.visits]));
    expect(LABELS.map(([c, t]) => naiveVisits.get(`${c} ${t}`))).toEqual([3, 3, 3, 20, 20, 20, null]);
    expect(rows.map((r) => r.visits)).toEqual([1, 2, 2, 15, 20, null, null]);
    expect(rows[1]).toMatchObject({ customer_id: '007', visits: 2, activity__feature_time: '2026-11-10T06:00:00.000Z' });
    expect(rows.map((r) => r.churned)).toEqual(LABELS.map((l) => l[2]));
    expect(Object.keys(rows[0]!)).toEqual([
      'customer_id',
      'observed_at',
      'churned',
      'visits',
      'activity__feature_time',
      'spend',
      'billing__day',
    ]);
    expect(report.features.map((f) => [f.ref, f.matched, f.missing, f.stale])).toEqual([
      ['activity', 5, 2, 0],
      ['billing', 1, 4, 2],
    ]);
    expect(report.output.rows).toBe(LABELS.length);
  });

  it('records a lineage run with the labels and feature versions as inputs and column lineage on the output', async () => {
    const events = join(dir, 'lineage.jsonl');
    const out = join(dir, 'lineage.parquet');
    const report = await buildTrainingSet(spec, {
      labels,
      features: ['activity:visits'],
      asOf: 'observed_at',
      out,
      stateDir,
      env: lineageEnv(events),
    });
    const run = (await readEvents(events)).filter((e) => e.run.runId === report.runId);
    expect(run.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    const complete = run[1]!;
    expect(complete.job).toMatchObject({ namespace: 'sluice', name: 'shop.training_set' });
    const [labelInput, activity] = complete.inputs;
    expect(labelInput).toMatchObject({ namespace: 'file', name: labels });
    expect(labelInput.facets.version.datasetVersion).toMatch(/^[0-9a-f]{32}$/);
    expect(activity).toMatchObject({ namespace: `s3://${BUCKET}`, name: 'features/activity' });
    expect(activity.facets.version.datasetVersion).toBe(report.features[0]!.version);
    expect(activity.inputFacets.subset.inputCondition.partitions.map((p: any) => p.dimensions.batch)).toEqual(['a1', 'a2', 'a3']);
    const output = complete.outputs[0];
    expect(output).toMatchObject({ namespace: 'file', name: out });
    expect(output.facets.version.datasetVersion).toBe(report.output.sha256.slice(0, 32));
    const lineage = output.facets.columnLineage;
    expect(lineage.fields.visits.inputFields).toEqual([
      expect.objectContaining({ namespace: `s3://${BUCKET}`, name: 'features/activity', field: 'visits' }),
    ]);
    expect(lineage.fields.churned.inputFields[0]).toMatchObject({ namespace: 'file', name: labels, field: 'churned' });
    expect(lineage.dataset.map((d: any) => `${d.name}.${d.field}`)).toEqual([
      `${labels}.observed_at`,
      `${labels}.customer_id`,
      'features/activity.customer_id',
      'features/activity.feature_time',
    ]);
    expect(Object.keys((await read(out))[0]!)).toEqual(['customer_id', 'observed_at', 'churned', 'visits', 'activity__feature_time']);
  });

  it('reads a label file in a key=value folder without taking the folder for a column', async () => {
    const folder = join(dir, 'dt=2026-11-15');
    await mkdir(folder, { recursive: true });
    await copyFile(labels, join(folder, 'labels.csv'));
    const out = join(dir, 'hive.parquet');
    await buildTrainingSet(spec, {
      labels: join(folder, 'labels.csv'),
      features: ['activity:visits'],
      asOf: 'observed_at',
      out,
      stateDir,
      env: { OPENLINEAGE_DISABLED: 'true' },
    });
    expect(Object.keys((await read(out))[0]!)).toEqual(['customer_id', 'observed_at', 'churned', 'visits', 'activity__feature_time']);
  });

  it('takes labels from a dataset of the pipeline', async () => {
    const out = join(dir, 'from-dataset.parquet');
    await buildTrainingSet(spec, {
      labels: 'outcomes',
      features: ['activity'],
      asOf: 'observed_at',
      out,
      stateDir,
      env: { OPENLINEAGE_DISABLED: 'true' },
    });
    expect((await read(out)).map((r) => [r.customer_id, r.visits, r.batch])).toEqual([['042', 20, 'o1']]);
  });

  it('reads only the batches published by --published-by, to rebuild a set as it was', async () => {
    const out = join(dir, 'then.parquet');
    const report = await buildTrainingSet(spec, {
      labels,
      features: ['activity'],
      asOf: 'observed_at',
      out,
      stateDir,
      publishedBy: '2026-11-20T00:00:00Z',
      env: { OPENLINEAGE_DISABLED: 'true' },
    });
    // The late batch a3 (042's Nov 5 row) was not published yet: the Nov 6 label of 042 gets the Nov 1 row.
    expect((await read(out))[3]).toMatchObject({ customer_id: '042', visits: 10 });
    expect(report.features[0]!.batches).toBe(2);
  });

  it('reads a deployed stage from S3 with --s3, its buckets renamed', async () => {
    // Another S3 endpoint standing for AWS, with the stage's bucket name: the spec says training-test.
    const deployed = 'training-test-prod-123';
    const s3 = await startEmbeddedS3(join(dir, 'deployed-s3'), [deployed]);
    const env = {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      OPENLINEAGE_DISABLED: 'true',
    };
    try {
      const store = new ObjectStore(env);
      for (const b of ACTIVITY) {
        await publishBatch(
          store,
          { bucket: deployed, prefix: 'features/activity', ref: 'activity' },
          b.batch,
          join(dir, `${b.batch}.parquet`),
          {
            time: b.published,
          },
        );
      }
      const out = join(dir, 'deployed.parquet');
      const report = await buildTrainingSet(spec, {
        labels,
        features: ['activity'],
        asOf: 'observed_at',
        out,
        s3: true,
        bucketNames: { [BUCKET]: deployed },
        env,
      });
      expect(report.features[0]!.batches).toBe(3);
      expect((await read(out)).map((r) => r.visits)).toEqual([1, 2, 2, 15, 20, null, null]);
    } finally {
      await s3.stop();
    }
  });

  const fails = async (options: Partial<Parameters<typeof buildTrainingSet>[1]>) => {
    try {
      await buildTrainingSet(spec, {
        labels,
        features: ['activity'],
        asOf: 'observed_at',
        out: join(dir, 'x.parquet'),
        stateDir,
        env: { OPENLINEAGE_DISABLED: 'true' },
        ...options,
      });
    } catch (error) {
      if (isSluiceError(error)) return `${error.code}: ${error.message}`;
      throw error;
    }
    throw new Error('expected a failure');
  };

  it.each<[string, Partial<Parameters<typeof buildTrainingSet>[1]>, string]>([
    [
      'a dataset that is not a feature table',
      { features: ['outcomes'] },
      'TRAINING_FEATURES: --features: dataset "outcomes" is not a feature table (it declares no featureTable); feature tables: activity, billing',
    ],
    ['an unknown dataset', { features: ['nope'] }, 'TRAINING_FEATURES: --features: pipeline shop has no dataset "nope"'],
    ['an as-of column the labels lack', { asOf: 'when' }, 'TRAINING_AS_OF_MISSING: --as-of: ' /* the path of the file follows */],
    [
      'a label column the feature key names, missing',
      { keys: { customer_id: 'user_id' } },
      'has no column "user_id" to match key customer_id of feature table activity (columns: customer_id, observed_at, churned); name the label column with --key customer_id=<column>',
    ],
    [
      'a feature column the table lacks',
      { features: ['activity:visits,clicks'] },
      'TRAINING_FEATURE_COLUMN: --features activity:visits,clicks: "clicks" is not a feature column of activity (feature columns: visits)',
    ],
    ['a label file that does not exist', { labels: join('nowhere', 'labels.csv') }, 'TRAINING_LABELS_MISSING: --labels: '],
    [
      'a published-by that is not a time',
      { publishedBy: 'yesterday' },
      'TRAINING_PUBLISHED_BY: --published-by: expected an ISO 8601 time, got "yesterday"',
    ],
  ])('fails with a clear error for %s', async (_, options, message) => {
    expect(await fails(options)).toContain(message);
  });

  it('names the labels without a time, by row', async () => {
    const bad = join(dir, 'bad-labels.csv');
    await writeFile(bad, 'customer_id,observed_at,churned\n007,2026-11-05T00:00:00Z,0\n042,,1\n042,not a time,0\n');
    expect(await fails({ labels: bad })).toContain(
      'TRAINING_AS_OF_INVALID: --as-of: 2 of the labels in ' +
        bad +
        ' have no observed_at time (row 2: empty; row 3: "not a time"); every label needs the time it was observed',
    );
  });
});
