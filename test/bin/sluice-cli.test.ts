import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import { testEnvironment } from '../support/environment.ts';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');

function sluice(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out = spawnSync(node, ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    // The test's own environment: whatever the shell exports (OPENLINEAGE_*, AWS_*) does not reach the CLI.
    env: testEnvironment(env as Record<string, string>),
    timeout: 60_000,
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('sluice CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([['--help'], ['run', '--help'], ['validate', '--help'], ['backfill', '--help']])('prints usage for %s and exits 0', (...args) => {
    const out = sluice(args);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Usage: sluice/);
  });

  it('exits 2 with a usage message for an unknown command or flag', () => {
    expect(sluice(['deploy'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "deploy"') });
    expect(sluice(['run', 'examples/churn/pipeline.ts', '--frobnicate'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown option '--frobnicate'"),
    });
    expect(sluice(['run', 'examples/churn/pipeline.ts'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('exactly one of --input'),
    });
    expect(sluice(['run', 'nope.ts', '--input', 'x.csv'])).toMatchObject({ code: 2, stderr: expect.stringContaining('does not exist') });
  });

  it('validates the example and prints its ASL', () => {
    expect(sluice(['validate', 'examples/churn/pipeline.ts'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('pipeline churn is valid (4 steps, 2 triggers)'),
    });
    const asl = sluice(['validate', 'examples/churn/pipeline.ts', '--asl']);
    expect(asl.code).toBe(0);
    expect(JSON.parse(asl.stdout).StartAt).toBe('Begin');
  });

  it('exits 2 listing every problem of a broken definition with its path', () => {
    const out = sluice(['validate', 'test/fixtures/pipelines/broken.ts']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('Pipeline definition "broken" is invalid');
    expect(out.stderr).toContain('triggers[1].cron: expected an EventBridge cron expression');
    expect(out.stderr).toContain('steps[1].sql: required');
  });

  it('exits 2 naming every problem DuckDB and the file system find, in one pass, for validate and run alike', async () => {
    const expected = [
      'datasets.staged_orders.tests[0].referencedColumn: "id" is not a column of dataset "customers"',
      'datasets.staged_orders.tests[1].predicate: Binder Error: Referenced column "amount_eur" not found in FROM clause! Candidate bindings: "amount", "customer_id"',
      'steps[4].sql: the feature SQL failed at line 3, column 20: parser error: syntax error at end of input',
      `steps[5].model.source: ${join(root, 'test', 'fixtures', 'pipelines', 'no-such-model.json')} does not exist`,
    ];
    const validate = sluice(['validate', 'test/fixtures/pipelines/unchecked-shop.ts']);
    expect(validate.code).toBe(2);
    expect(
      validate.stderr
        .split('\n')
        .slice(1, 5)
        .map((l) => l.trim()),
    ).toEqual(expected);
    const stateDir = join(dir, 'unchecked-state');
    const input = join(dir, 'customers.csv');
    const { writeFile, stat } = await import('node:fs/promises');
    await writeFile(input, 'customer_id,segment\nc1,retail\n');
    const run = sluice([
      'run',
      'test/fixtures/pipelines/unchecked-shop.ts',
      '--input',
      input,
      '--dataset',
      'raw_customers',
      '--state-dir',
      stateDir,
    ]);
    expect(run.code).toBe(2);
    expect(
      run.stderr
        .split('\n')
        .slice(1, 5)
        .map((l) => l.trim()),
    ).toEqual(expected);
    expect(await stat(stateDir).catch(() => 'nothing written')).toBe('nothing written');
  });

  it('lists the checks that could not run with validate --json', () => {
    const out = sluice(['validate', 'test/fixtures/pipelines/schemaless.ts', '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      file: join(root, 'test', 'fixtures', 'pipelines', 'schemaless.ts'),
      valid: true,
      pipeline: 'schemaless',
      steps: 4,
      triggers: 1,
      notChecked: [
        'datasets.staged.tests: the rules are not bound before the run: dataset "staged" declares no schema',
        'steps[2].sql: the SQL is not bound before the run: input p: dataset "published" declares no schema',
        'steps[3].model: no source file, so the model is first read from s3://schemaless-models/model.json when the step runs',
      ],
    });
    const text = sluice(['validate', 'test/fixtures/pipelines/schemaless.ts']);
    expect(text.stderr).toContain('sluice: not checked: schemaless: steps[2].sql: the SQL is not bound before the run');
    const both = JSON.parse(
      sluice(['validate', 'examples/churn/pipeline.ts', 'test/fixtures/pipelines/unchecked-shop.ts', '--json']).stdout,
    );
    expect(both.map((r: any) => [r.pipeline, r.valid, r.problems?.length])).toEqual([
      ['churn', true, undefined],
      [undefined, false, 4],
    ]);
  });

  it('validates several files, naming each invalid one, and exits 2 when any is invalid', () => {
    const out = sluice([
      'validate',
      'examples/churn/pipeline.ts',
      'test/fixtures/pipelines/broken.ts',
      'templates/events/pipelines/events.ts',
    ]);
    expect(out.code).toBe(2);
    expect(out.stdout).toContain('pipeline churn is valid');
    expect(out.stdout).toContain('pipeline events is valid');
    expect(out.stderr).toMatch(/broken\.ts: Pipeline definition "broken" is invalid/);
    expect(out.stderr).toContain('1 of 3 pipeline files are invalid');
  });

  it('runs a pipeline, prints JSON with --json and exits 0, or 1 when the run fails', async () => {
    const good = join(dir, 'good.csv');
    const bad = join(dir, 'bad.csv');
    await generateCustomers(good, { rows: 500 });
    await generateCustomers(bad, { rows: 500, bad: true });
    const stateDir = join(dir, 'state');
    const ok = sluice(['run', 'examples/churn/pipeline.ts', '--input', good, '--state-dir', stateDir, '--json']);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report.status).toBe('SUCCEEDED');
    expect(report.lineage).toBe(`file ${join(stateDir, 'lineage', 'events.jsonl')}`);
    expect(ok.stderr).toContain('score done');
    const failed = sluice(['run', 'examples/churn/pipeline.ts', '--input', bad, '--state-dir', stateDir]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('error: Sluice.DATA_TESTS_FAILED');
    // The table fills the failed data-test step's columns; both failed rules are named with their values.
    expect(failed.stdout).toMatch(/test\s+dataTests\s+FAILED\s+4\d\d\s+4\/2\/0/);
    expect(failed.stdout).toMatch(/FAILED {2}unique\(customer_id\) +expected 0 duplicate rows, got \d+ duplicate rows in 4\d\d rows/);
    expect(failed.stdout).toMatch(/FAILED {2}range\(monthly_charges\) +expected values in \[0, 1000\], got \d+ values outside/);
    expect(failed.stdout).toMatch(
      /rejected by ingest \(\d+ of 500 records; top reasons by column\):\n {2}tenure_months +expected an integer/,
    );
    expect(failed.stdout).toMatch(/quarantined +quarantine +s3:\/\/churn-data\/quarantine\/customers\/batch=[\w-]+\/data\.parquet/);
    // It ends with the alert AWS would publish: the blast radius and where the batch went.
    expect(failed.stdout).toMatch(
      /Quarantined \(kept aside, not published\):\n {2}s3:\/\/churn-data\/quarantine\/customers\/batch=[\w-]+\//,
    );
    expect(failed.stdout).toContain('jobs: sluice:churn.test, sluice:churn.features, sluice:churn.score');
  });
});

describe('sluice CLI exit codes for run-time problems', () => {
  it('exits 2 when a pipeline with several upload sources is given an input without --dataset, naming them', () => {
    const out = sluice([
      'run',
      'examples/orders/pipeline.ts',
      '--input',
      'customers.csv',
      '--state-dir',
      join(tmpdir(), 'sluice-cli-nodataset'),
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      '--dataset: pipeline orders has 2 upload triggers; say which dataset the input goes to (raw_customers, raw_orders)',
    );
    const unknown = sluice([
      'run',
      'examples/orders/pipeline.ts',
      '--input',
      'x.csv',
      '--dataset',
      'raw_returns',
      '--state-dir',
      join(tmpdir(), 'sluice-cli-nodataset'),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no upload trigger on "raw_returns" (upload datasets: raw_customers, raw_orders)');
  });

  it('exits 1 with a file-level error and publishes nothing when every row of an upload is rejected', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-rejected-'));
    try {
      const input = join(dir, 'orders.jsonl');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(input, '{"order_id":"o1","customer_id":"c1","amount":"lots","channel":"web","ordered_at":"2026-11-01T00:00:00Z"}\n');
      const out = sluice([
        'run',
        'examples/orders/pipeline.ts',
        '--input',
        input,
        '--dataset',
        'raw_orders',
        '--state-dir',
        join(dir, 'state'),
      ]);
      expect(out.code).toBe(1);
      expect(out.stdout).toContain('error: Sluice.INGEST_NO_VALID_ROWS');
      expect(out.stdout).toContain('s3://shop-data/raw/orders/orders.jsonl: all 1 records were rejected');
      // Nothing is written to the published table; the alert names it among what the run did not update.
      const report = out.stdout.slice(0, out.stdout.indexOf('\nerror:'));
      expect(report).toMatch(
        /written:\n {2}rejected +rejected_orders +s3:\/\/shop-data\/rejected\/orders\/batch=[\w-]+\/rejected\.parquet +1 row\n/,
      );
      expect(report).not.toContain('published/orders');
      expect(out.stdout).toMatch(
        /Not updated by this run \(blast radius\):\n {2}datasets: .*orders \(s3:\/\/shop-data\/published\/orders\)/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints the AWS input of a backfill, and exits 2 naming the option that is out of range', () => {
    const input = sluice(['backfill', 'examples/churn/pipeline.ts', '--print-input', '--concurrency', '50', '--tolerate', '2.5%']);
    expect(input.code).toBe(0);
    expect(JSON.parse(input.stdout)).toEqual({
      trigger: {
        kind: 'backfill',
        dataset: 'raw',
        prefix: 'raw/customers/',
        concurrency: 50,
        objectsPerChild: 1,
        toleratedFailurePercentage: 2.5,
      },
    });
    expect(sluice(['backfill', 'examples/churn/pipeline.ts', '--print-input', '--objects-per-child', '500'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--objects-per-child: Too big: expected number to be <=100, got 500'),
    });
    expect(sluice(['backfill', 'examples/churn/pipeline.ts', '--concurrency', 'lots'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--concurrency: expected a whole number, got "lots"'),
    });
    expect(sluice(['backfill', 'examples/churn/pipeline.ts', '--print-input', '--prefix', 'published/customers/'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`--prefix: "published/customers/" is outside dataset raw's prefix`),
    });
  });

  it('backfills a directory of files and exits 0, or exits 2 when nothing is under the prefix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-backfill-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const drop = join(dir, 'drop');
    await generateCustomers(join(drop, 'a.csv'), { rows: 200, seed: 1 });
    await generateCustomers(join(drop, 'b.csv'), { rows: 200, seed: 2 });
    const stateDir = join(dir, 'backfill-state');
    const out = sluice(['backfill', 'examples/churn/pipeline.ts', '--upload', drop, '--state-dir', stateDir, '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).backfill).toMatchObject({ objects: 2, passed: 2, rowsIn: 400 });
    expect(out.stderr).toContain('Backfill raw: 2/2 child executions done (0 failed)');
    const empty = sluice(['backfill', 'examples/churn/pipeline.ts', '--prefix', 'raw/customers/none-', '--state-dir', stateDir]);
    expect(empty).toMatchObject({ code: 2, stderr: expect.stringContaining('no objects under s3://churn-data/raw/customers/none-') });
  });

  it('exits 2 for a schedule the pipeline does not have, naming the ones it has', () => {
    const out = sluice(['run', 'examples/churn/pipeline.ts', '--schedule', 'hourly', '--state-dir', join(tmpdir(), 'sluice-cli-nosched')]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('no schedule "hourly" (schedules: nightly)');
  });
});
