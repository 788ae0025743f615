import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { publishBatch } from '../support/batches.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';
import { validateOpenLineageEvent } from '../support/openlineage-validator.ts';
import { captureStderr } from '../support/environment.ts';

type FeatureOptions = {
  sql: string;
  windows?: Record<string, { days: number }>;
  params?: Record<string, string | number | boolean>;
  transform?: string;
};

function pipeline(options: FeatureOptions) {
  return definePipeline({
    name: 'fb',
    datasets: {
      events: { bucket: 'fb-data', prefix: 'published/events', format: 'parquet' },
      features: { bucket: 'fb-data', prefix: 'features', format: 'parquet' },
    },
    triggers: [{ kind: 'schedule', name: 'daily', cron: 'cron(0 6 * * ? *)' }],
    steps: [{ name: 'features', kind: 'featureBuild', inputs: { e: 'events' }, output: 'features', ...options }],
  });
}

// Three daily partitions written by earlier scheduled runs: their batch ids carry their nominal times.
const DAYS = ['20261120', '20261121', '20261122'];

/** The transform of the test pipeline module: a running total per user, which the SQL leaves ordered. */
export function runningTotal(table: { columns: Record<string, unknown[]> }): Record<string, unknown[]> {
  const user = table.columns.user as string[];
  const amount = table.columns.amount as number[];
  const totals = new Float64Array(amount.length);
  const seen = new Map<string, number>();
  for (let i = 0; i < amount.length; i++) {
    const t = (seen.get(user[i]!) ?? 0) + amount[i]!;
    seen.set(user[i]!, t);
    totals[i] = t;
  }
  return { user, amount, running_total: Array.from(totals) };
}

describe('feature builds over published partitions', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-fb-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (options: FeatureOptions, env: NodeJS.ProcessEnv = {}) => {
    const stateDir = join(dir, `s${n++}`);
    const db = await openDuckDb();
    try {
      await withStoredObjects(join(stateDir, 's3'), ['fb-data'], async (store) => {
        for (const [i, day] of DAYS.entries()) {
          const file = join(dir, `day-${day}.parquet`);
          await db.run(
            `COPY (SELECT * FROM (VALUES ('u1', ${i + 1}.0), ('u2', ${10 * (i + 1)}.0)) t(user, amount)) TO '${file}' (FORMAT parquet)`,
          );
          const time = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}T06:00:00Z`;
          await publishBatch(store, { bucket: 'fb-data', prefix: 'published/events', ref: 'events' }, `daily-${day}T060000`, file, {
            time,
          });
        }
      });
    } finally {
      db.close();
    }
    const events = join(stateDir, 'events.jsonl');
    const report = await runLocal(pipeline(options), {
      stateDir,
      schedule: { name: 'daily', nominalTime: '2026-11-22T06:00:00Z' },
      env: {
        OPENLINEAGE__TRANSPORT__TYPE: 'file',
        OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: events,
        OPENLINEAGE__TRANSPORT__APPEND: 'true',
        ...env,
      },
    });
    const rows =
      report.status !== 'SUCCEEDED'
        ? []
        : await withStoredObjects(join(stateDir, 's3'), ['fb-data'], async (store) => {
            const out = report.steps[0]!.result!.outputs[0]!;
            const file = join(dir, `out-${n}.parquet`);
            await store.download(out.bucket, out.key, file);
            const reader = await openDuckDb();
            try {
              return await reader.all(`SELECT * FROM read_parquet('${file}')`);
            } finally {
              reader.close();
            }
          });
    return { report, rows, events: report.status === 'SUCCEEDED' ? await readEvents(events) : [] };
  };

  it('reads only the partitions of the window and binds the nominal date, batch id and params', async () => {
    const { report, rows } = await run({
      sql: `SELECT user, sum(amount) * $factor AS total, $nominal_date AS day, $batch_id AS batch FROM e GROUP BY user ORDER BY user`,
      windows: { e: { days: 2 } },
      params: { factor: 2 },
    });
    expect(report.status).toBe('SUCCEEDED');
    expect(report.steps[0]?.result?.rowsIn).toBe(4);
    expect(rows).toEqual([
      { user: 'u1', total: 10, day: '2026-11-22T00:00:00.000Z', batch: 'daily-20261122T060000' },
      { user: 'u2', total: 100, day: '2026-11-22T00:00:00.000Z', batch: 'daily-20261122T060000' },
    ]);
  });

  it('emits the derived columnLineage facet on the COMPLETE event', async () => {
    const { events } = await run({ sql: `SELECT user, sum(amount) AS total FROM e WHERE amount > 0 GROUP BY user` });
    const complete = events.find((e) => e.eventType === 'COMPLETE' && e.job.name === 'fb.features')!;
    expect(validateOpenLineageEvent(complete)).toEqual([]);
    const facet = complete.outputs[0].facets.columnLineage;
    expect(facet.fields.total.inputFields).toEqual([
      {
        namespace: 's3://fb-data',
        name: 'published/events',
        field: 'amount',
        transformations: [{ type: 'DIRECT', subtype: 'AGGREGATION' }],
      },
    ]);
    expect(facet.dataset.map((d: any) => `${d.field}:${d.transformations.map((t: any) => t.subtype).join()}`).sort()).toEqual([
      'amount:FILTER',
      'user:GROUP_BY',
    ]);
  });

  it('applies a TypeScript transform exported by the pipeline module named in SLUICE_PIPELINE_MODULE', async () => {
    process.env.SLUICE_PIPELINE_MODULE = import.meta.filename;
    try {
      const { result, stderr } = await captureStderr(() =>
        run({ sql: `SELECT user, amount FROM e ORDER BY user, amount`, transform: 'runningTotal' }),
      );
      const { report, rows } = result;
      expect(report.status).toBe('SUCCEEDED');
      expect(stderr).toContain('sluice: step "features": no column lineage (a TypeScript transform reshapes the SQL result)');
      expect(rows.map((r) => r.running_total)).toEqual([1, 3, 6, 10, 30, 60]);
    } finally {
      delete process.env.SLUICE_PIPELINE_MODULE;
    }
  });

  it('fails naming the export when the pipeline module lacks the transform', async () => {
    process.env.SLUICE_PIPELINE_MODULE = import.meta.filename;
    try {
      const { report } = await run({ sql: `SELECT user FROM e`, transform: 'nope' });
      expect(report.error?.name).toBe('Sluice.FEATURE_TRANSFORM');
      expect(report.error?.message).toMatch(
        /step "features": .*feature-build.test.ts does not export a function nope \(functions: .*runningTotal/,
      );
    } finally {
      delete process.env.SLUICE_PIPELINE_MODULE;
    }
  });

  it('fails with the line and column of a syntax error', async () => {
    const { report } = await run({ sql: `SELECT user,\n  amount\nFORM e` });
    expect(report.error?.name).toBe('Sluice.FEATURE_SQL');
    expect(report.error?.message).toMatch(
      /^step "features": the feature SQL failed at line 3, column \d+: parser error: syntax error at or near "e"/,
    );
  });

  it('fails with the line and column when the SQL names a missing column', async () => {
    const { report } = await run({ sql: `SELECT user,\n  sum(amout) AS total\nFROM e GROUP BY user` });
    expect(report.error?.message).toMatch(
      /^step "features": the feature SQL failed at line 2, column 7: Binder Error: Referenced column "amout" not found/,
    );
    expect(report.steps[0]?.result).toBeUndefined();
  });

  it('fails when the SQL uses a parameter nobody defines', async () => {
    const { report } = await run({ sql: `SELECT user FROM e WHERE amount > $limit` });
    expect(report.error?.message).toBe(
      'step "features": the feature SQL uses $limit, which no parameter defines (parameters: $nominal_time, $nominal_date, $batch_id)',
    );
  });

  it('fails when the window holds no partition', async () => {
    const { report } = await run({ sql: `SELECT * FROM e`, windows: { e: { days: 1 } } });
    expect(report.status).toBe('SUCCEEDED');
    const early = await runLocal(pipeline({ sql: 'SELECT * FROM e', windows: { e: { days: 1 } } }), {
      stateDir: report.stateDir,
      schedule: { name: 'daily', nominalTime: '2026-11-10T06:00:00Z' },
      env: { OPENLINEAGE_DISABLED: 'true' },
    });
    expect(early.error?.message).toBe(
      'step "features": input e has no published batches under s3://fb-data/published/events/ in the 1 days up to 2026-11-10T06:00:00.000Z',
    );
  });

  it('says so when the input prefix holds files that no batch record publishes', async () => {
    const stateDir = join(dir, `s${n++}`);
    const file = join(dir, 'loose.parquet');
    const db = await openDuckDb();
    try {
      await db.run(`COPY (SELECT 'u1' AS user, 1.0 AS amount) TO '${file}' (FORMAT parquet)`);
    } finally {
      db.close();
    }
    await withStoredObjects(join(stateDir, 's3'), ['fb-data'], (store) => store.upload('fb-data', 'published/events/loose.parquet', file));
    const report = await runLocal(pipeline({ sql: 'SELECT * FROM e' }), {
      stateDir,
      schedule: { name: 'daily', nominalTime: '2026-11-22T06:00:00Z' },
      env: { OPENLINEAGE_DISABLED: 'true' },
    });
    expect(report.error?.message).toBe(
      'step "features": input e has no published batches under s3://fb-data/published/events/ (its 1 object has no batch record under _batches/; a table is the batches steps published)',
    );
  });
});
