import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline, type PipelineDefinition } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { publishBatch } from '../support/batches.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';

type Semantics = NonNullable<PipelineDefinition['datasets'][string]['semantics']>;
/** A batch to publish: its id, time (and execution start, for ties) and rows as a SQL VALUES list. */
type Batch = { id: string; time: string; startTime?: string; values: string; columns?: string };

const BUCKET = 'semantics-test';
const NOMINAL = '2026-11-30T06:00:00Z';

function pipeline(semantics: Semantics | undefined, sql: string) {
  return definePipeline({
    name: 'semantics',
    datasets: {
      table: { bucket: BUCKET, prefix: 'published/table', format: 'parquet', ...(semantics ? { semantics } : {}) },
      features: { bucket: BUCKET, prefix: 'features', format: 'parquet' },
    },
    triggers: [{ kind: 'schedule', name: 'daily', cron: 'cron(0 6 * * ? *)' }],
    steps: [{ name: 'features', kind: 'featureBuild', inputs: { t: 'table' }, sql, output: 'features' }],
  });
}

describe('what a feature step reads, by dataset semantics', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-semantics-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Publishes the batches (in the order given, which is not their time order), runs the step, returns its rows and events. */
  async function build(semantics: Semantics | undefined, batches: Batch[], sql = 'SELECT * FROM t ORDER BY ALL') {
    const stateDir = join(dir, `state-${n++}`);
    const db = await openDuckDb();
    try {
      await withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) => {
        for (const b of batches) {
          const file = join(dir, `${b.id}-${n}.parquet`);
          await db.run(
            `COPY (SELECT * FROM (VALUES ${b.values}) v(${b.columns ?? 'id, value, updated_at'})) TO '${file}' (FORMAT parquet)`,
          );
          await publishBatch(store, { bucket: BUCKET, prefix: 'published/table', ref: 'table' }, b.id, file, {
            time: b.time,
            startTime: b.startTime,
          });
        }
      });
    } finally {
      db.close();
    }
    const events = join(stateDir, 'events.jsonl');
    const report = await runLocal(pipeline(semantics, sql), {
      stateDir,
      schedule: { name: 'daily', nominalTime: NOMINAL },
      env: { OPENLINEAGE__TRANSPORT__TYPE: 'file', OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: events, OPENLINEAGE__TRANSPORT__APPEND: 'true' },
    });
    expect(report.error).toBeUndefined();
    const out = report.steps[0]!.result!.outputs[0]!;
    const rows = await withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) => {
      const file = join(dir, `out-${n++}.parquet`);
      await store.download(out.bucket, out.key, file);
      const reader = await openDuckDb();
      try {
        return await reader.all(`SELECT * FROM read_parquet('${file}')`);
      } finally {
        reader.close();
      }
    });
    const complete = (await readEvents(events)).find((e) => e.job.name === 'semantics.features' && e.eventType === 'COMPLETE')!;
    const etags = await withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) =>
      Object.fromEntries((await store.list(BUCKET, 'published/table')).map((o) => [o.key.split('/')[2]?.slice('batch='.length), o.etag])),
    );
    return { rows, input: complete.inputs[0], rowsIn: report.steps[0]!.result!.rowsIn, etags };
  }

  // Ids sort against time order, so nothing can depend on listing order.
  const three: Batch[] = [
    { id: 'a-third', time: '2026-11-29T10:00:00Z', values: "('k1', 'third', NULL), ('k3', 'third', NULL)" },
    { id: 'z-first', time: '2026-11-27T10:00:00Z', values: "('k1', 'first', NULL), ('k2', 'first', NULL)" },
    { id: 'm-second', time: '2026-11-28T10:00:00Z', values: "('k1', 'second', NULL)" },
  ];

  it('reads every published batch of an append dataset (the default), each row with its batch id', async () => {
    for (const semantics of ['append', undefined] as const) {
      const { rows, rowsIn } = await build(semantics, three, 'SELECT id, value, batch FROM t ORDER BY ALL');
      expect(rows.map((r) => `${r.id}:${r.value}:${r.batch}`)).toEqual([
        'k1:first:z-first',
        'k1:second:m-second',
        'k1:third:a-third',
        'k2:first:z-first',
        'k3:third:a-third',
      ]);
      expect(rowsIn).toBe(5);
    }
  });

  it('reads only the latest batch of a snapshot dataset, by batch time', async () => {
    const { rows, input, etags } = await build('snapshot', three, 'SELECT id, value, batch FROM t ORDER BY ALL');
    expect(rows.map((r) => `${r.id}:${r.value}:${r.batch}`)).toEqual(['k1:third:a-third', 'k3:third:a-third']);
    expect(input.inputFacets.subset.inputCondition.partitions).toEqual([{ dimensions: { batch: 'a-third' } }]);
    expect(input.facets.version.datasetVersion).toBe(etags['a-third']);
  });

  it('takes, of two snapshots uploaded in the same second, the one whose execution started later', async () => {
    const second = '2026-11-29T10:00:00Z';
    const { rows } = await build('snapshot', [
      { id: 'later', time: second, startTime: '2026-11-29T10:00:00.800Z', values: "('k1', 'later', NULL)" },
      { id: 'earlier', time: second, startTime: '2026-11-29T10:00:00.300Z', values: "('k1', 'earlier', NULL)" },
    ]);
    expect(rows.map((r) => r.value)).toEqual(['later']);
  });

  it('keeps the latest row per key of an upsert dataset: by orderBy, then batch order, then file order', async () => {
    const { rows } = await build({ upsert: { key: ['id'], orderBy: 'updated_at' } }, [
      {
        id: 'b1',
        time: '2026-11-27T10:00:00Z',
        values:
          "('k1', 'b1 newest', TIMESTAMP '2026-11-27 10:00'), ('k2', 'b1', TIMESTAMP '2026-11-27 09:00'), ('k4', 'b1 first', NULL), ('k4', 'b1 second', NULL)",
      },
      {
        id: 'b2',
        time: '2026-11-28T10:00:00Z',
        values:
          "('k1', 'b2 older', TIMESTAMP '2026-11-26 10:00'), ('k2', 'b2 same time', TIMESTAMP '2026-11-27 09:00'), ('k3', 'b2', NULL)",
      },
    ]);
    expect(rows.map((r) => `${r.id}:${r.value}`)).toEqual(['k1:b1 newest', 'k2:b2 same time', 'k3:b2', 'k4:b1 second']);
  });

  it('keeps the row of the latest batch per key of an upsert dataset without orderBy', async () => {
    const { rows } = await build({ upsert: { key: ['id'] } }, three, 'SELECT id, value FROM t ORDER BY ALL');
    expect(rows.map((r) => `${r.id}:${r.value}`)).toEqual(['k1:third', 'k2:first', 'k3:third']);
  });

  it("names every batch it read in the input's subset facet and a version for exactly that set", async () => {
    const { input } = await build('append', three);
    expect(input.inputFacets.subset.inputCondition.partitions.map((p: any) => p.dimensions.batch)).toEqual([
      'z-first',
      'm-second',
      'a-third',
    ]);
    expect(input.facets.version.datasetVersion).toMatch(/^[0-9a-f]{32}$/);
    expect(input.inputFacets.inputStatistics).toMatchObject({ rowCount: 5, fileCount: 3 });
  });

  it("leaves a dataset's own batch column as it is", async () => {
    const { rows } = await build(
      'append',
      [{ id: 'b1', time: '2026-11-27T10:00:00Z', values: "('k1', 'lot-7')", columns: 'id, batch' }],
      'SELECT id, batch FROM t',
    );
    expect(rows).toEqual([{ id: 'k1', batch: 'lot-7' }]);
  });
});
