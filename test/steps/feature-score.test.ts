import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { withStoredObjects } from '../support/local-s3.ts';

function pipeline(sql: string, model: string) {
  return definePipeline({
    name: 'fs',
    datasets: {
      raw: {
        bucket: 'fs-test',
        prefix: 'raw',
        format: 'jsonl',
        maxRejectedFraction: 0.5,
        schema: z.object({ id: z.string(), x: z.number(), y: z.number() }),
      },
      staged: { bucket: 'fs-test', prefix: 'staged', format: 'parquet' },
      rejected: { bucket: 'fs-test', prefix: 'rejected', format: 'parquet' },
      published: { bucket: 'fs-test', prefix: 'published', format: 'parquet' },
      quarantine: { bucket: 'fs-test', prefix: 'quarantine', format: 'parquet' },
      features: { bucket: 'fs-test', prefix: 'features', format: 'parquet' },
      scores: { bucket: 'fs-test', prefix: 'scores', format: 'parquet' },
    },
    triggers: [{ kind: 'upload', dataset: 'raw' }],
    steps: [
      { name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' },
      { name: 'test', kind: 'dataTests', dataset: 'staged', publishTo: 'published', quarantineTo: 'quarantine' },
      { name: 'features', kind: 'featureBuild', inputs: { t: 'published' }, sql, output: 'features' },
      {
        name: 'score',
        kind: 'batchScore',
        input: 'features',
        entityKey: 'id',
        output: 'scores',
        model: { bucket: 'fs-models', key: 'm.json', source: model },
      },
    ],
  });
}

const MODEL = { type: 'logistic_regression', features: ['x', 'xy'], coefficients: [0.5, -0.25], intercept: 0.1 };

describe('feature build and batch scoring', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-fs-'));
    await writeFile(join(dir, 'rows.jsonl'), '{"id":"a","x":1,"y":2}\n{"id":"b","x":-3,"y":0.5}\n{"id":"c","x":"oops","y":1}\n');
    await writeFile(join(dir, 'model.json'), JSON.stringify(MODEL));
    await writeFile(join(dir, 'other-model.json'), JSON.stringify({ ...MODEL, features: ['x', 'z'] }));
    await writeFile(join(dir, 'corrupt.json'), '{"type": "logistic_regression", "features": [');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const run = (sql: string, model = 'model.json') =>
    runLocal(pipeline(sql, model), {
      stateDir: join(dir, `s${n++}`),
      input: join(dir, 'rows.jsonl'),
      baseDir: dir,
      env: { OPENLINEAGE_DISABLED: 'true' },
    });

  it('ingests JSON Lines, builds features with SQL and scores them with the logistic model', async () => {
    const report = await run('SELECT id, x, x * y AS xy FROM t');
    expect(report.status).toBe('SUCCEEDED');
    expect(report.steps[0]?.result).toMatchObject({ rowsIn: 3, rowsOut: 2, rejectedRows: 1 });
    expect(report.steps[3]?.result).toMatchObject({ rowsOut: 2, modelVersion: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const out = report.steps[3]!.result!.outputs[0]!;
    const rows = await withStoredObjects(join(report.stateDir, 's3'), ['fs-test'], async (store) => {
      const file = join(dir, 'scores.parquet');
      await store.download(out.bucket, out.key, file);
      const db = await openDuckDb();
      try {
        return await db.all(`SELECT * FROM read_parquet('${file}') ORDER BY id`);
      } finally {
        db.close();
      }
    });
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    const expected = [
      { id: 'a', score: sigmoid(0.1 + 0.5 * 1 - 0.25 * 2) },
      { id: 'b', score: sigmoid(0.1 + 0.5 * -3 - 0.25 * -1.5) },
    ];
    expect(rows.map((r) => r.id)).toEqual(['a', 'b']);
    rows.forEach((r, i) => {
      expect(r.score as number).toBeCloseTo(expected[i]!.score, 12);
      expect(r.label).toBe((r.score as number) >= 0.5);
      expect(r.model_version).toBe(report.steps[3]!.result!.modelVersion);
    });
  });

  it('stops the run before any data moves when the SQL or the model file is wrong, naming each at its path', async () => {
    const problems = async (sql: string, model: string) =>
      ((await run(sql, model).catch((e: unknown) => e)) as { code?: string; details?: string[] }).details;
    expect(await problems('SELECT id, nope FROM t', 'model.json')).toEqual([
      expect.stringMatching(
        /^steps\[2\]\.sql: the feature SQL failed at line 1, column 12: Binder Error: Referenced column "nope" not found/,
      ),
    ]);
    expect(await problems('SELECT id, x, x * y AS xy FROM t', 'other-model.json')).toEqual([
      'steps[3].model: feature z is missing from "features" (columns: id, x, xy)',
    ]);
    expect((await problems('SELECT id, x, x * y AS xy FROM t', 'corrupt.json'))?.[0]).toMatch(
      /^steps\[3\]\.model\.source: .*corrupt\.json: not valid JSON/,
    );
  });

  it("fails the feature step with DuckDB's message when the SQL fails on the data", async () => {
    const report = await run('SELECT id, x, x * y AS xy,\n  CAST(id AS INTEGER) AS n FROM t');
    expect(report.status).toBe('FAILED');
    expect(report.steps.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'FAILED', 'NOT_RUN']);
    expect(report.error?.name).toBe('Sluice.FEATURE_SQL');
    expect(report.error?.message).toMatch(
      /step "features": the feature SQL failed at line 2, column 3: Conversion Error: Could not convert string 'a' to INT32/,
    );
  });

  /** A run whose model is only in S3 (deployed by another process), so nothing can check it before the run. */
  const runWithModelInS3 = async (sql: string, modelFile: string) => {
    const stateDir = join(dir, `s${n++}`);
    await withStoredObjects(join(stateDir, 's3'), ['fs-models'], (store) => store.upload('fs-models', 'm.json', join(dir, modelFile)));
    const spec = pipeline(sql, modelFile);
    const step = spec.steps[3] as { model: { source?: string } };
    delete step.model.source;
    return runLocal(spec, { stateDir, input: join(dir, 'rows.jsonl'), baseDir: dir, env: { OPENLINEAGE_DISABLED: 'true' } });
  };

  it('fails scoring when the model in S3 needs a feature the input lacks', async () => {
    const report = await runWithModelInS3('SELECT id, x, x * y AS xy FROM t', 'other-model.json');
    expect(report.error?.name).toBe('Sluice.SCORE_FEATURE_MISMATCH');
    expect(report.error?.message).toContain('feature z is missing from features');
    expect(report.steps[3]?.result).toBeUndefined();
  });

  it('fails scoring on a corrupt model in S3', async () => {
    const report = await runWithModelInS3('SELECT id, x, x * y AS xy FROM t', 'corrupt.json');
    expect(report.error?.name).toBe('Sluice.MODEL_CORRUPT');
    expect(report.error?.message).toContain('s3://fs-models/m.json: not valid JSON');
  });
});
