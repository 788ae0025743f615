import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrainingSet, runLocal } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import churn from '../../examples/churn/pipeline.ts';

const exampleDir = join(import.meta.dirname, '..', '..', 'examples', 'churn');

// The walk-through of docs/features-and-models.md: an upload run, nightly runs at two past times, then the labels.
describe('the churn example: a training set from labels.csv, as the docs show it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-churn-training-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each label the features of the latest build at or before its time, within maxAge', async () => {
    const stateDir = join(dir, 'state');
    const env = { OPENLINEAGE_DISABLED: 'true' };
    const extract = join(dir, 'customers-2000.csv');
    await generateCustomers(extract, { rows: 2000 });
    const upload = await runLocal(churn, { stateDir, input: extract, baseDir: exampleDir, env });
    expect(upload.error).toBeUndefined();
    for (const nominalTime of ['2026-11-01T06:00:00Z', '2026-11-08T06:00:00Z']) {
      const nightly = await runLocal(churn, { stateDir, schedule: { name: 'nightly', nominalTime }, baseDir: exampleDir, env });
      expect(nightly.error).toBeUndefined();
    }
    const out = join(dir, 'training.parquet');
    const report = await buildTrainingSet(churn, {
      labels: join(exampleDir, 'labels.csv'),
      features: ['features'],
      asOf: 'observed_at',
      out,
      stateDir,
      env,
    });
    expect(report.features.map((f) => [f.matched, f.missing, f.stale])).toEqual([[4, 1, 1]]);
    const db = await openDuckDb();
    try {
      const rows = await db.all(
        `SELECT customer_id, tenure_months, round(monthly_charges, 2) AS monthly_charges, features__feature_time FROM read_parquet('${out}')`,
      );
      expect(rows).toEqual([
        { customer_id: 'C0000001', tenure_months: null, monthly_charges: null, features__feature_time: null },
        { customer_id: 'C0000001', tenure_months: 32, monthly_charges: 62.39, features__feature_time: '2026-11-01T06:00:00.000Z' },
        { customer_id: 'C0000002', tenure_months: 62, monthly_charges: 54, features__feature_time: '2026-11-01T06:00:00.000Z' },
        { customer_id: 'C0000003', tenure_months: 36, monthly_charges: 31.71, features__feature_time: '2026-11-08T06:00:00.000Z' },
        { customer_id: 'C0000004', tenure_months: null, monthly_charges: null, features__feature_time: null },
        { customer_id: 'C0000005', tenure_months: 1, monthly_charges: 65.85, features__feature_time: '2026-11-01T06:00:00.000Z' },
      ]);
    } finally {
      db.close();
    }
  });
});
