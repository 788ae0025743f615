import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import churn from '../../examples/churn/pipeline.ts';
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3 } from '../../lib/local/embedded-s3.ts';
import { runLocal, type RunReport } from '../../lib/local/index.ts';
import { testEnvironment } from '../support/environment.ts';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');

function sluice(args: string[], env: Record<string, string> = {}) {
  const out = spawnSync(node, ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: testEnvironment(env),
    timeout: 60_000,
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** The CLI without blocking this process, whose event loop serves the embedded S3 the CLI talks to. */
async function sluiceAsync(args: string[], env: Record<string, string>) {
  try {
    const out = await promisify(execFile)(node, ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), ...args], {
      cwd: root,
      encoding: 'utf8',
      env: testEnvironment(env),
      timeout: 60_000,
    });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? null, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('sluice ls and sluice show, on a state directory and on S3', () => {
  let dir: string;
  let stateDir: string;
  let good: RunReport;
  let bad: RunReport;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-explore-'));
    stateDir = join(dir, 'state');
    await generateCustomers(join(dir, 'good.csv'), { rows: 400 });
    await generateCustomers(join(dir, 'bad.csv'), { rows: 400, bad: true });
    const options = { stateDir, baseDir: join(root, 'examples', 'churn'), env: { OPENLINEAGE_DISABLED: 'true' } };
    good = await runLocal(churn, { ...options, input: join(dir, 'good.csv') });
    // S3 times have whole seconds: the second upload must be a later second for "latest" to be told apart.
    const uploaded = Math.floor(Date.parse(good.trigger.kind === 'upload' ? (good.trigger.time as string) : '') / 1000);
    while (Math.floor(Date.now() / 1000) <= uploaded) await new Promise((r) => setTimeout(r, 50));
    bad = await runLocal(churn, { ...options, input: join(dir, 'bad.csv') });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists each dataset with its state, batches, rows and bytes', () => {
    const out = sluice(['ls', 'examples/churn/pipeline.ts', '--state-dir', stateDir]);
    expect(out.code, out.stderr).toBe(0);
    const line = (dataset: string) => out.stdout.split('\n').find((l) => l.startsWith(`churn.${dataset} `)) ?? '';
    expect(line('raw')).toMatch(/^churn\.raw +upload +s3:\/\/churn-data\/raw\/customers +2 files +[\d.]+ KiB +bad\.csv$/);
    expect(line('staged')).toMatch(/staged +s3:\/\/churn-data\/staged\/customers +2 +\d{3} +[\d.]+ KiB/);
    expect(line('quarantine')).toMatch(/quarantined +s3:\/\/churn-data\/quarantine\/customers +1 +\d{3} +[\d.]+ KiB +bad-/);
    expect(line('rejected')).toMatch(/rejected +s3:\/\/churn-data\/rejected\/customers +1 +\d+ /);
    expect(line('predictions')).toMatch(/published +s3:\/\/churn-data\/predictions\/churn +1 +400 /);
  });

  it('lists the datasets found by their batch records without a pipeline file, as JSON', () => {
    const out = sluice(['ls', '--state-dir', stateDir, '--json']);
    expect(out.code, out.stderr).toBe(0);
    const { datasets } = JSON.parse(out.stdout) as { datasets: Array<Record<string, any>> };
    const byName = Object.fromEntries(datasets.map((d) => [d.dataset, d]));
    expect(Object.keys(byName).sort()).toEqual(['features', 'predictions', 'published', 'quarantine', 'rejected', 'staged']);
    expect(byName.quarantine).toMatchObject({ pipeline: 'churn', state: 'quarantined', batchCount: 1, rows: bad.steps[1]!.record!.rowsIn });
    expect(byName.staged.batches.map((b: { batch: string }) => b.batch)).toEqual([
      good.steps[0]!.result!.batchId,
      bad.steps[0]!.result!.batchId,
    ]);
  });

  it('prints the predictions as a table, JSON or CSV, and filters them', () => {
    const table = sluice(['show', 'predictions', '--state-dir', stateDir, '--limit', '3']);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^customer_id +score +label +model_version +batch$/);
    expect(lines).toHaveLength(5);
    expect(table.stderr).toContain('3 of 400 rows of churn.predictions');
    const json = sluice([
      'show',
      'churn.predictions',
      '--state-dir',
      stateDir,
      '--json',
      '--where',
      'score >= 0.5 AND label',
      '--limit',
      '1000',
    ]);
    const rows = JSON.parse(json.stdout) as Array<{ score: number; label: boolean; batch: string }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.score >= 0.5 && r.label === true && r.batch === good.steps[0]!.result!.batchId)).toBe(true);
    const csv = sluice([
      'show',
      's3://churn-data/quarantine/customers',
      '--state-dir',
      stateDir,
      '--batch',
      'latest',
      '--csv',
      '--limit',
      '2',
    ]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'customer_id,signup_date,plan,monthly_charges,tenure_months,support_tickets,last_login,auto_renew,batch',
    );
    expect(csv.stdout.split('\r\n').filter(Boolean)).toHaveLength(3);
    // A DATE column is shown as the date, a TIMESTAMPTZ as the instant.
    expect(csv.stdout.split('\r\n')[1]).toMatch(/^C\d+,\d{4}-\d\d-\d\d,\w+,[\d.-]+,\d+,\d+,\d{4}-\d\d-\d\dT[\d:.]+Z,(true|false),/);
  });

  it('exits 2 naming what is wrong: an unknown dataset or batch, a filter that is more than one', () => {
    expect(sluice(['show', 'nope', '--state-dir', stateDir])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no dataset "nope" found (datasets: churn.features, churn.predictions'),
    });
    expect(sluice(['show', 'predictions', '--state-dir', stateDir, '--batch', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--batch: dataset predictions has no batch "x" (latest, '),
    });
    expect(sluice(['show', 'predictions', '--state-dir', stateDir, '--where', '1=1) UNION SELECT * FROM t WHERE (1=1'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('is not a filter expression'),
    });
    expect(sluice(['show', 'predictions', '--state-dir', stateDir, '--where', 'nope > 1'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--where: .*"nope" not found.*\(columns: customer_id VARCHAR, score DOUBLE/),
    });
    expect(sluice(['ls', '--state-dir', join(dir, 'empty')])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('holds no objects'),
    });
    expect(sluice(['show', 'predictions', '--bogus'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown option '--bogus'"),
    });
  });

  it('reads S3 through the same object store with --s3, here the embedded S3 as an S3 endpoint', async () => {
    const buckets = await readdir(join(stateDir, 's3'));
    const s3 = await startEmbeddedS3(join(stateDir, 's3'), buckets);
    try {
      const env = {
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
      };
      const ls = await sluiceAsync(['ls', 'examples/churn/pipeline.ts', '--s3'], env);
      expect(ls.code, ls.stderr).toBe(0);
      expect(ls.stdout).toContain(`objects: S3 at ${s3.endpoint}`);
      expect(ls.stdout).toMatch(/churn\.predictions +published +s3:\/\/churn-data\/predictions\/churn +1 +400 /);
      const show = await sluiceAsync(['show', 'predictions', '--s3', '--bucket', 'churn-data', '--json', '--limit', '2'], env);
      expect(show.code, show.stderr).toBe(0);
      expect(JSON.parse(show.stdout)).toHaveLength(2);
      expect(sluice(['ls', '--s3'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('--s3 needs the pipeline file') });
    } finally {
      await s3.stop();
    }
  });
});
