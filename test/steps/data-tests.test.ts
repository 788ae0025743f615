import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline, type DataTestRuleInput } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';

function pipeline(tests: DataTestRuleInput[]) {
  return definePipeline({
    name: 'rules',
    datasets: {
      raw: {
        bucket: 'rules-test',
        prefix: 'raw',
        format: 'csv',
        schema: z.object({ id: z.string(), v: z.number().nullable(), code: z.string(), at: z.iso.datetime() }),
      },
      staged: { bucket: 'rules-test', prefix: 'staged', format: 'parquet', tests },
      rejected: { bucket: 'rules-test', prefix: 'rejected', format: 'parquet' },
      published: { bucket: 'rules-test', prefix: 'published', format: 'parquet' },
      quarantine: { bucket: 'rules-test', prefix: 'quarantine', format: 'parquet' },
    },
    triggers: [{ kind: 'upload', dataset: 'raw' }],
    steps: [
      { name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' },
      { name: 'test', kind: 'dataTests', dataset: 'staged', publishTo: 'published', quarantineTo: 'quarantine' },
    ],
  });
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3.6e6).toISOString().replace(/\.\d+Z$/, 'Z');
// Five rows: ids a,b,c,c,d; v = 1, 2, 40, null, 5 (mean 12, sum 48, sample stddev 18.74); the newest row is 2 h old.
const data = () =>
  `id,v,code,at\na,1,AB-1,${hoursAgo(50)}\nb,2,AB-2,${hoursAgo(40)}\nc,40,XY-3,${hoursAgo(30)}\nc,,AB-4,${hoursAgo(20)}\nd,5,ABC-55,${hoursAgo(2)}\n`;

describe('data tests', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-rules-'));
    await writeFile(join(dir, 'data.csv'), data());
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (tests: DataTestRuleInput[], options: { stateDir?: string; file?: string } = {}) =>
    runLocal(pipeline(tests), {
      stateDir: options.stateDir ?? join(dir, `state-${n++}`),
      input: options.file ?? join(dir, 'data.csv'),
      env: { OPENLINEAGE_DISABLED: 'true' },
    });

  it.each<[string, DataTestRuleInput, DataTestRuleInput, string]>([
    [
      'notNull',
      { rule: 'notNull', column: 'id' },
      { rule: 'notNull', column: 'v' },
      'notNull(v): expected 0 null values, got 1 null value in 5 rows',
    ],
    [
      'unique',
      { rule: 'unique', columns: ['id', 'v'] },
      { rule: 'unique', columns: ['id'] },
      'unique(id): expected 0 duplicate rows, got 1 duplicate row in 5 rows',
    ],
    [
      'acceptedValues',
      { rule: 'acceptedValues', column: 'id', values: ['a', 'b', 'c', 'd'] },
      { rule: 'acceptedValues', column: 'id', values: ['a', 'b', 'c'] },
      'acceptedValues(id): expected values in {a, b, c}, got 1 other value in 5 rows',
    ],
    [
      'range',
      { rule: 'range', column: 'v', min: 1, max: 40 },
      { rule: 'range', column: 'v', min: 1, max: 40, inclusive: false },
      'range(v): expected values in (1, 40), got 2 values outside (observed min 1, max 40)',
    ],
    [
      'pattern',
      { rule: 'pattern', column: 'code', regex: '[A-Z]+-[0-9]+' },
      { rule: 'pattern', column: 'code', regex: '[A-Z]{2}-[0-9]' },
      'pattern(code): expected values matching /[A-Z]{2}-[0-9]/, got 1 non-matching value in 5 rows',
    ],
    [
      'length',
      { rule: 'length', column: 'code', min: 4, max: 6 },
      { rule: 'length', column: 'code', max: 4 },
      'length(code): expected lengths in [-∞, 4], got 1 value of another length in 5 rows',
    ],
    ['rowCount', { rule: 'rowCount', min: 5, max: 5 }, { rule: 'rowCount', min: 6 }, 'rowCount: expected row count in [6, ∞], got 5 rows'],
    [
      'freshness',
      { rule: 'freshness', column: 'at', maxAge: '1d' },
      { rule: 'freshness', column: 'at', maxAge: '1h' },
      'freshness(at): expected latest value within 1h of',
    ],
    [
      'nullFraction',
      { rule: 'nullFraction', column: 'v', max: 0.2 },
      { rule: 'nullFraction', column: 'v', max: 0.1 },
      'nullFraction(v): expected null fraction <= 0.1, got 0.200000 (1 of 5 rows)',
    ],
    [
      'duplicateFraction',
      { rule: 'duplicateFraction', columns: ['id'], max: 0.2 },
      { rule: 'duplicateFraction', columns: ['id'], max: 0.1 },
      'duplicateFraction(id): expected duplicate fraction <= 0.1, got 0.200000 (1 of 5 rows)',
    ],
    [
      'mean',
      { rule: 'mean', column: 'v', min: 11.9, max: 12.1 },
      { rule: 'mean', column: 'v', max: 5 },
      'mean(v): expected mean in [-∞, 5], got mean 12',
    ],
    [
      'stddev',
      { rule: 'stddev', column: 'v', max: 20 },
      { rule: 'stddev', column: 'v', max: 10 },
      'stddev(v): expected stddev in [-∞, 10], got stddev 18.74',
    ],
    [
      'sum',
      { rule: 'sum', column: 'v', min: 48, max: 48 },
      { rule: 'sum', column: 'v', max: 47 },
      'sum(v): expected sum in [-∞, 47], got sum 48',
    ],
    [
      'sql',
      { rule: 'sql', name: 'positive', predicate: 'v IS NULL OR v > 0' },
      { rule: 'sql', name: 'small', predicate: 'v < 10' },
      'sql(small): expected every row satisfies v < 10, got 2 failing rows in 5 rows',
    ],
  ])('%s passes when the batch holds and blocks publishing when it does not', async (_, passing, failing, message) => {
    const ok = await run([passing]);
    expect([ok.status, ok.error?.message]).toEqual(['SUCCEEDED', undefined]);
    expect(ok.steps[1]?.result?.tests).toEqual({ passed: 1, failed: 0, warned: 0 });
    expect(ok.steps[1]?.result?.outputs.map((o) => o.dataset)).toEqual(['published']);
    const failed = await run([failing]);
    expect(failed.status).toBe('FAILED');
    expect(failed.error?.message).toContain(message);
    const batch = failed.steps[0]!.result!.batchId;
    const keys = await withStoredObjects(join(failed.stateDir, 's3'), ['rules-test'], async (store) => ({
      published: (await store.list('rules-test', 'published')).map((o) => o.key),
      quarantine: (await store.list('rules-test', 'quarantine')).map((o) => o.key),
    }));
    expect(keys.published).toEqual([]);
    expect(keys.quarantine).toContain(`quarantine/batch=${batch}/data.parquet`);
  });

  it('checks referential integrity against another published dataset', async () => {
    const stateDir = join(dir, 'referential');
    const missing = await run([{ rule: 'referential', column: 'id', dataset: 'published' }], { stateDir });
    expect(missing.error?.message).toContain(
      'referential(id): expected every value present in published.id, got 5 missing values in 5 rows',
    );
    expect((await run([], { stateDir })).status).toBe('SUCCEEDED');
    const present = await run([{ rule: 'referential', column: 'id', dataset: 'published' }], { stateDir });
    expect([present.status, present.error?.message]).toEqual(['SUCCEEDED', undefined]);
  });

  it('records a failing warn rule without blocking the batch, with its values, and alerts on it', async () => {
    const report = await run([
      { rule: 'notNull', column: 'v', severity: 'warn' },
      { rule: 'mean', column: 'v', min: 12.5, severity: 'warn' },
      { rule: 'rowCount', min: 1 },
    ]);
    expect(report.status).toBe('SUCCEEDED');
    expect(report.steps[1]?.result?.tests).toEqual({ passed: 1, failed: 0, warned: 2 });
    // The measured mean of 1, 2, 40, 5 is 12 exactly; a mean like 64.832131… would be shown to 4 decimals.
    expect(report.steps[1]?.result?.rules).toEqual([
      {
        name: 'notNull(v)',
        assertion: 'not_null',
        severity: 'warn',
        column: 'v',
        expected: '0 null values',
        actual: '1 null value in 5 rows',
        failedRows: 1,
      },
      { name: 'mean(v)', assertion: 'mean_between', severity: 'warn', column: 'v', expected: 'mean in [12.5, ∞]', actual: 'mean 12' },
    ]);
    expect(report.alert).toMatchObject({ status: 'WARNED', notUpdated: { datasets: [], jobs: [] } });
    expect(report.alert?.subject).toBe('Sluice rules: succeeded with warnings: 2 rules warned');
    expect(report.alert?.text).toContain('WARNED mean(v) on v: expected mean in [12.5, ∞], got mean 12');
  });

  it('shows a measured standard deviation (and means and sums) rounded to 4 decimals', async () => {
    const report = await run([{ rule: 'stddev', column: 'v', max: 10 }]);
    expect(report.error?.message).toMatch(/stddev\(v\): expected stddev in \[-∞, 10\], got stddev 18\.7439$/m);
  });

  it('counts the distinct values of a column with a unique rule exactly, from the rule, and estimates the others', async () => {
    const events = join(dir, `metrics-${n}.jsonl`);
    // 1,000 distinct ids: an estimate (HyperLogLog) is off by a fifth at this size; the rule's count is exact.
    const file = join(dir, 'distinct.csv');
    await writeFile(file, `id,v,code,at\n${Array.from({ length: 1000 }, (_, i) => `r${i},${i % 7},AB-1,${hoursAgo(1)}`).join('\n')}\n`);
    const report = await runLocal(pipeline([{ rule: 'unique', columns: ['id'] }]), {
      stateDir: join(dir, `state-${n++}`),
      input: file,
      env: { OPENLINEAGE__TRANSPORT__TYPE: 'file', OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: events, OPENLINEAGE__TRANSPORT__APPEND: 'true' },
    });
    expect(report.status).toBe('SUCCEEDED');
    const complete = (await readEvents(events)).find((e) => e.job.name === 'rules.test' && e.eventType === 'COMPLETE')!;
    const metrics = complete.inputs[0].inputFacets.dataQualityMetrics.columnMetrics;
    expect(metrics.id).toMatchObject({ count: 1000, nullCount: 0, distinctCount: 1000 });
    expect(metrics.v).toMatchObject({ count: 1000, nullCount: 0, distinctCount: 7, min: 0, max: 6 });
  });
});

describe('drift rules', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-drift-'));
    const rows = (count: number, shift: number) =>
      Array.from(
        { length: count },
        (_, i) => `r${i},${(i % 50) + shift},${i % 3 === 0 || shift > 0 ? 'XY-1' : 'AB-1'},${hoursAgo(1)}`,
      ).join('\n');
    await writeFile(join(dir, 'base.csv'), `id,v,code,at\n${rows(500, 0)}\n`);
    await writeFile(join(dir, 'similar.csv'), `id,v,code,at\n${rows(520, 0).replace(/^r/gm, 's')}\n`);
    await writeFile(join(dir, 'shifted.csv'), `id,v,code,at\n${rows(1200, 200).replace(/^r/gm, 't')}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const rules: DataTestRuleInput[] = [
    { rule: 'rowCountChange', maxChange: 0.5 },
    { rule: 'psi', column: 'v', max: 0.2 },
    { rule: 'psi', column: 'code', max: 0.2 },
    { rule: 'meanShift', column: 'v', maxStddevs: 2 },
  ];
  const run = (file: string, stateDir: string) =>
    runLocal(pipeline(rules), { stateDir, input: join(dir, file), env: { OPENLINEAGE_DISABLED: 'true' } });

  it('passes without history, passes a similar batch and blocks a shifted one, naming metric and threshold', async () => {
    const stateDir = join(dir, 'state');
    const first = await run('base.csv', stateDir);
    expect([first.status, first.steps[1]?.result?.tests]).toEqual(['SUCCEEDED', { passed: 4, failed: 0, warned: 0 }]);
    const similar = await run('similar.csv', stateDir);
    expect([similar.status, similar.error?.message]).toEqual(['SUCCEEDED', undefined]);
    const shifted = await run('shifted.csv', stateDir);
    expect(shifted.status).toBe('FAILED');
    const message = shifted.error?.message ?? '';
    expect(message).toContain('4 of 4 data tests failed');
    expect(message).toMatch(/rowCountChange: expected row count within 50% of the last 5 published batches, got 1200 rows/);
    expect(message).toMatch(/psi\(v\): expected PSI <= 0.2 against the last published batch, got PSI \d+\.\d+ against batch similar-/);
    expect(message).toMatch(/psi\(code\): expected PSI <= 0.2/);
    expect(message).toMatch(/meanShift\(v\): expected mean within 2 standard deviations/);
  });
});
