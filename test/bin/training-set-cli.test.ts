import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import churn from '../../examples/churn/pipeline.ts';
import { runLocal } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { testEnvironment } from '../support/environment.ts';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');

function sluice(args: string[]) {
  const out = spawnSync(node, ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: testEnvironment(),
    timeout: 120_000,
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('sluice training-set on the churn example', () => {
  let dir: string;
  let stateDir: string;
  let labels: string;
  let uploadTime: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-training-cli-'));
    stateDir = join(dir, 'state');
    const customers = join(dir, 'customers.csv');
    await generateCustomers(customers, { rows: 500 });
    const env = { OPENLINEAGE_DISABLED: 'true' };
    const exampleDir = join(root, 'examples', 'churn');
    const upload = await runLocal(churn, { stateDir, input: customers, baseDir: exampleDir, env });
    expect(upload.status).toBe('SUCCEEDED');
    uploadTime = upload.trigger.kind === 'upload' ? new Date(upload.trigger.time!).toISOString() : '';
    // A nightly build at an earlier nominal time adds a second row per customer, dated Nov 1.
    const nightly = await runLocal(churn, {
      stateDir,
      schedule: { name: 'nightly', nominalTime: '2026-11-01T06:00:00Z' },
      baseDir: exampleDir,
      env,
    });
    expect(nightly.status).toBe('SUCCEEDED');
    labels = join(dir, 'labels.csv');
    const later = new Date(Date.parse(uploadTime) + 3_600_000).toISOString();
    await writeFile(
      labels,
      `customer_id,observed_at,churned\nC0000001,2026-11-03T00:00:00Z,1\nC0000002,${later},0\nC0000003,2026-10-01T00:00:00Z,1\nC0000004,2026-11-20T00:00:00Z,0\n`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the set, reports it as JSON and takes each label its features as of its time', async () => {
    const out = join(dir, 'training.parquet');
    const run = sluice([
      'training-set',
      'examples/churn/pipeline.ts',
      '--labels',
      labels,
      '--features',
      'features',
      '--as-of',
      'observed_at',
      '--out',
      out,
      '--state-dir',
      stateDir,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('sluice: feature table features: 2 batches');
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ pipeline: 'churn', job: 'churn.training_set', output: { path: out, rows: 4 } });
    // Nov 20 is 19 days after the Nov 1 row: older than the table's maxAge of 7 days.
    expect(report.features[0]).toMatchObject({ ref: 'features', matched: 2, missing: 1, stale: 1 });
    const db = await openDuckDb();
    try {
      const rows = await db.all(`SELECT customer_id, features__feature_time AS at, tenure_months FROM read_parquet('${out}')`);
      expect(rows.map((r) => [r.customer_id, r.at])).toEqual([
        ['C0000001', '2026-11-01T06:00:00.000Z'],
        ['C0000002', uploadTime],
        ['C0000003', null],
        ['C0000004', null],
      ]);
      expect(rows[0]!.tenure_months).toEqual(expect.any(Number));
    } finally {
      db.close();
    }
    // The run went to the state directory's lineage, like a local run's.
    const text = sluice([
      'training-set',
      'examples/churn/pipeline.ts',
      '--labels',
      labels,
      '--features',
      'features',
      '--as-of',
      'observed_at',
      '--out',
      out,
      '--state-dir',
      stateDir,
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${out}: 4 rows`);
    expect(text.stdout).toContain('features: 2 labels matched (1 with no earlier row, 1 older than maxAge: NULL)');
    expect(text.stdout).toContain(join(stateDir, 'lineage', 'events.jsonl'));
  });

  it('exits 2 naming the problem for a table that is not a feature table or a missing option', () => {
    const notTable = sluice([
      'training-set',
      'examples/churn/pipeline.ts',
      '--labels',
      labels,
      '--features',
      'published',
      '--as-of',
      'observed_at',
      '--state-dir',
      stateDir,
    ]);
    expect(notTable).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        '--features: dataset "published" is not a feature table (it declares no featureTable); feature tables: features',
      ),
    });
    expect(sluice(['training-set', 'examples/churn/pipeline.ts', '--labels', labels, '--features', 'features'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('missing --as-of'),
    });
    expect(sluice(['training-set', '--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: sluice training-set/) });
  });
});
