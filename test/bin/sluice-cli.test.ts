import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it.each([['--help'], ['run', '--help'], ['validate', '--help']])('prints usage for %s and exits 0', (...args) => {
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
    expect(failed.stdout).toMatch(/test\s+dataTests\s+FAILED/);
  });
});

describe('sluice CLI exit codes for run-time problems', () => {
  it('exits 2 for a schedule the pipeline does not have, naming the ones it has', () => {
    const out = sluice(['run', 'examples/churn/pipeline.ts', '--schedule', 'hourly', '--state-dir', join(tmpdir(), 'sluice-cli-nosched')]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('no schedule "hourly" (schedules: nightly)');
  });
});
