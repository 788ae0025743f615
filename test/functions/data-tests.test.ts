import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline, type DataTestRuleInput } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { withStoredObjects } from '../support/local-s3.ts';

function pipeline(tests: DataTestRuleInput[]) {
  return definePipeline({
    name: 'rules',
    datasets: {
      raw: { bucket: 'rules-test', prefix: 'raw', format: 'csv', schema: z.object({ id: z.string(), v: z.number().nullable() }) },
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

// Five rows: ids a,b,c,c and one null value; v spans 1..40.
const DATA = 'id,v\na,1\nb,2\nc,40\nc,\nd,5\n';

describe('data tests', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-rules-'));
    await writeFile(join(dir, 'data.csv'), DATA);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (tests: DataTestRuleInput[]) =>
    runLocal(pipeline(tests), { stateDir: join(dir, `state-${n++}`), input: join(dir, 'data.csv'), env: { OPENLINEAGE_DISABLED: 'true' } });

  it.each<[string, DataTestRuleInput, DataTestRuleInput, string]>([
    ['notNull', { rule: 'notNull', column: 'id' }, { rule: 'notNull', column: 'v' }, 'notNull(v): expected 0 null values, got 1 null value in 5 rows'],
    ['unique', { rule: 'unique', columns: ['id', 'v'] }, { rule: 'unique', columns: ['id'] }, 'unique(id): expected 0 duplicate rows, got 1 duplicate row in 5 rows'],
    ['range', { rule: 'range', column: 'v', min: 1, max: 40 }, { rule: 'range', column: 'v', min: 2 }, 'range(v): expected values in [2, ∞], got 1 value outside (observed min 1, max 40)'],
    ['rowCount', { rule: 'rowCount', min: 5, max: 5 }, { rule: 'rowCount', min: 6 }, 'rowCount: expected row count in [6, ∞], got 5 rows'],
  ])('%s passes when the batch holds and blocks publishing when it does not', async (_, passing, failing, message) => {
    const ok = await run([passing]);
    expect(ok.status).toBe('SUCCEEDED');
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

  it('records a failing warn rule without blocking the batch', async () => {
    const report = await run([{ rule: 'notNull', column: 'v', severity: 'warn' }, { rule: 'rowCount', min: 1 }]);
    expect(report.status).toBe('SUCCEEDED');
    expect(report.steps[1]?.result?.tests).toEqual({ passed: 1, failed: 0, warned: 1 });
  });
});
