// Paths like `region=eu/` or `batch=<id>/` are only names: DuckDB would read them as extra columns unless told not to.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';

const pipeline = definePipeline({
  name: 'hive',
  datasets: {
    raw: { bucket: 'hive-test', prefix: 'raw/region=eu', format: 'csv', schema: z.object({ id: z.string(), v: z.number() }) },
    staged: {
      bucket: 'hive-test',
      prefix: 'staged/source=upload',
      format: 'parquet',
      tests: [{ rule: 'notNull', column: 'v' }],
    },
    rejected: { bucket: 'hive-test', prefix: 'rejected', format: 'parquet' },
    published: { bucket: 'hive-test', prefix: 'published', format: 'parquet' },
    quarantine: { bucket: 'hive-test', prefix: 'quarantine', format: 'parquet' },
  },
  triggers: [{ kind: 'upload', dataset: 'raw' }],
  steps: [
    { name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' },
    { name: 'test', kind: 'dataTests', dataset: 'staged', publishTo: 'published', quarantineTo: 'quarantine' },
  ],
});

describe('key=value folders in paths', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-hive-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('add no column to what ingest stages, data tests measure or the batch publishes', async () => {
    const input = join(dir, 'rows.csv');
    await writeFile(input, 'id,v\na,1\nb,2\n');
    const stateDir = join(dir, 'state');
    const events = join(dir, 'events.jsonl');
    const report = await runLocal(pipeline, {
      stateDir,
      input,
      env: { OPENLINEAGE__TRANSPORT__TYPE: 'file', OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: events, OPENLINEAGE__TRANSPORT__APPEND: 'true' },
    });
    expect(report.status).toBe('SUCCEEDED');

    const test = (await readEvents(events)).find((e) => e.job.name === 'hive.test' && e.eventType === 'COMPLETE')!;
    const input0 = test.inputs[0];
    expect(Object.keys(input0.inputFacets.dataQualityMetrics.columnMetrics).sort()).toEqual(['id', 'v']);
    expect(input0.facets.schema.fields.map((f: { name: string }) => f.name)).toEqual(['id', 'v']);

    const published = join(dir, 'published.parquet');
    await withStoredObjects(join(stateDir, 's3'), ['hive-test'], async (store) => {
      const [object] = (await store.list('hive-test', 'published')).filter((o) => o.key.endsWith('.parquet'));
      await store.download('hive-test', object!.key, published);
    });
    const db = await openDuckDb();
    try {
      const columns = await db.all(`DESCRIBE SELECT * FROM read_parquet('${published}')`);
      expect(columns.map((c) => c.column_name)).toEqual(['id', 'v']);
    } finally {
      db.close();
    }
  });
});
