import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline, type PipelineDefinition, type PipelineSpec } from '../../../lib/index.ts';
import { runLocal, type RunReport } from '../../../lib/local/index.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../../../lib/local/embedded-s3.ts';
import { openDuckDb } from '../../../lib/runtime/duckdb.ts';
import { publishBatch } from '../../support/batches.ts';
import { readEvents, withStoredObjects } from '../../support/local-s3.ts';
import { validateOpenLineageEvent, validateSluiceFacetDocument } from '../../support/openlineage-validator.ts';
import { freePort, s3Environment, startMlflowServer, type MlflowServer } from './mlflow-server.ts';
import { ensureMlflowVenv, run, type MlflowVenv } from './python-env.ts';
import { generateCustomers } from '../../../examples/churn/generate-data.ts';
import churn from '../../../examples/churn/pipeline.ts';
import churnFromMlflow from '../../../examples/churn/pipeline-mlflow.ts';

const root = resolve(import.meta.dirname, '../../..');
const BUCKET = 'registry-data';
type Registered = { version: string; run_id?: string; predictions?: number[] };

/** Customers published, their features built into a feature table, scored with a model from the registry. */
function pipeline(model: Record<string, unknown>): PipelineSpec {
  return definePipeline({
    name: 'churn_registry',
    datasets: {
      customers: { bucket: BUCKET, prefix: 'published/customers', format: 'parquet' },
      features: {
        bucket: BUCKET,
        prefix: 'features/churn',
        format: 'parquet',
        featureTable: { key: 'customer_id', eventTime: 'feature_time' },
      },
      predictions: { bucket: BUCKET, prefix: 'predictions/churn', format: 'parquet' },
    },
    triggers: [{ kind: 'schedule', name: 'nightly', cron: 'cron(0 6 * * ? *)' }],
    steps: [
      {
        name: 'features',
        kind: 'featureBuild',
        inputs: { c: 'customers' },
        sql: 'SELECT customer_id, $nominal_time AS feature_time, tenure, charges, tickets_rate, is_basic FROM c',
        output: 'features',
      },
      { name: 'score', kind: 'batchScore', input: 'features', entityKey: 'customer_id', model, output: 'predictions' } as never,
    ],
  } satisfies PipelineDefinition);
}

describe('scoring with models from a real MLflow tracking server', () => {
  let venv: MlflowVenv;
  let dir: string;
  let s3: EmbeddedS3;
  let server: MlflowServer;
  let registered: Record<string, Registered[]>;
  let stateDir: string;
  let events: string;
  let day = 0;

  beforeAll(async () => {
    venv = await ensureMlflowVenv(process.env.SLUICE_MLFLOW_CACHE ?? join(root, '.cache', 'mlflow'), (l) => process.stderr.write(`${l}\n`));
    dir = await mkdtemp(join(tmpdir(), 'sluice-mlflow-suite-'));
    s3 = await startEmbeddedS3(join(dir, 'model-store'), ['models']);
    server = await startMlflowServer(venv, dir, s3.endpoint);
    const features = join(dir, 'customers.csv');
    const result = join(dir, 'registered.json');
    const trained = await run(venv.python, [join(import.meta.dirname, 'train_register.py'), features, result], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, MLFLOW_TRACKING_URI: server.url, ...s3Environment(s3.endpoint) },
    });
    expect(trained.code, trained.output).toBe(0);
    registered = JSON.parse(await readFile(result, 'utf8')).models;
    stateDir = join(dir, 'state');
    events = join(dir, 'events.jsonl');
    await withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) => {
      const db = await openDuckDb();
      const file = join(dir, 'customers.parquet');
      await db.run(`COPY (SELECT * FROM read_csv('${features}')) TO '${file}' (FORMAT parquet)`);
      db.close();
      await publishBatch(store, { bucket: BUCKET, prefix: 'published/customers', ref: 'customers' }, 'extract-1', file, {
        time: '2026-11-01T00:00:00Z',
      });
    });
  });
  afterAll(async () => {
    await server?.stop();
    await s3?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Fires the nightly schedule (a new nominal time each run) with the given MLflow settings. */
  async function score(model: Record<string, unknown>, env: Record<string, string> = {}) {
    const nominalTime = new Date(Date.UTC(2026, 10, 2 + day++, 6)).toISOString();
    const report = await runLocal(pipeline(model), {
      stateDir,
      schedule: { name: 'nightly', nominalTime },
      env: {
        MLFLOW_TRACKING_URI: server.url,
        OPENLINEAGE__TRANSPORT__TYPE: 'file',
        OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: events,
        OPENLINEAGE__TRANSPORT__APPEND: 'true',
        ...env,
      },
    });
    const runEvents = (await readEvents(events)).filter((e) => e.run.facets?.parent?.run?.runId === report.runId);
    const scoreEnd = runEvents.find((e) => e.job.name === 'churn_registry.score' && e.eventType !== 'START');
    return { report, scoreEnd, predictions: await predictions(report), runEvents };
  }

  async function predictions(report: RunReport): Promise<Array<{ customer_id: string; score: number; model_version: string }>> {
    const out = report.steps[1]?.result?.outputs[0];
    if (!out) return [];
    return withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) => {
      const file = join(dir, `predictions-${day}.parquet`);
      await store.download(out.bucket, out.key, file);
      const db = await openDuckDb();
      try {
        return (await db.all(`SELECT customer_id, score, model_version FROM read_parquet('${file}') ORDER BY customer_id`)) as never;
      } finally {
        db.close();
      }
    });
  }

  const worstError = (got: Array<{ score: number }>, expected: number[]) =>
    Math.max(...got.map((r, i) => Math.abs(r.score - expected[i]!)));
  const modelInput = (scoreEnd: any) => scoreEnd.inputs.find((i: any) => i.namespace === server.url);
  let firstSha: string;

  it('scores with the version the alias names, as XGBoost scores it, and records it in lineage', async () => {
    const { report, scoreEnd, predictions: rows, runEvents } = await score({ registry: 'mlflow', name: 'churn-xgb', alias: 'champion' });
    expect(report.error).toBeUndefined();
    const v1 = registered['churn-xgb']![0]!;
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.model_version))).toEqual(new Set([`models:/churn-xgb/${v1.version}`]));
    expect(worstError(rows, v1.predictions!)).toBeLessThan(1e-6);
    const input = modelInput(scoreEnd);
    expect(input).toMatchObject({ name: 'churn-xgb', facets: { version: { datasetVersion: v1.version } } });
    expect(input.facets.sluice_model).toMatchObject({
      registry: 'mlflow',
      trackingUri: server.url,
      name: 'churn-xgb',
      version: v1.version,
      alias: 'champion',
      runId: v1.run_id,
      loggedModelId: expect.stringMatching(/^m-[0-9a-f]+$/),
      artifactUri: expect.stringMatching(/^mlflow-artifacts:\/.*\/artifacts$/),
      file: { path: 'model.json', flavor: 'xgboost', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      mlflowVersion: '3.17.2',
      modelType: 'xgboost',
    });
    expect(validateSluiceFacetDocument('SluiceModelDatasetFacet', { sluice_model: input.facets.sluice_model })).toEqual([]);
    firstSha = input.facets.sluice_model.file.sha256;
    for (const event of runEvents) expect(validateOpenLineageEvent(event)).toEqual([]);
  });

  it("promoting a new version changes the next run's model and its lineage", async () => {
    const v2 = registered['churn-xgb']![1]!;
    const promoted = await fetch(`${server.url}/api/2.0/mlflow/registered-models/alias`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'churn-xgb', alias: 'champion', version: v2.version }),
    });
    expect(promoted.status).toBe(200);
    const { report, scoreEnd, predictions: rows } = await score({ registry: 'mlflow', name: 'churn-xgb', alias: 'champion' });
    expect(report.error).toBeUndefined();
    expect(new Set(rows.map((r) => r.model_version))).toEqual(new Set([`models:/churn-xgb/${v2.version}`]));
    expect(worstError(rows, v2.predictions!)).toBeLessThan(1e-6);
    const input = modelInput(scoreEnd);
    expect(input.facets.version.datasetVersion).toBe(v2.version);
    expect(input.facets.sluice_model).toMatchObject({ version: v2.version, runId: v2.run_id, alias: 'champion' });
    expect(input.facets.sluice_model.file.sha256).not.toBe(firstSha);
  });

  it('keeps scoring with a pinned version after the alias moved', async () => {
    const v1 = registered['churn-xgb']![0]!;
    const { report, predictions: rows } = await score({ registry: 'mlflow', name: 'churn-xgb', version: Number(v1.version) });
    expect(report.error).toBeUndefined();
    expect(worstError(rows, v1.predictions!)).toBeLessThan(1e-6);
  });

  it("reads Sluice's JSON of a pyfunc model from S3 directly, and the same file through the server", async () => {
    const linear = registered['churn-logistic']![0]!;
    const direct = await score({ registry: 'mlflow', name: 'churn-logistic', alias: 'champion' }, { MLFLOW_S3_ENDPOINT_URL: s3.endpoint });
    expect(direct.report.error).toBeUndefined();
    expect(worstError(direct.predictions, linear.predictions!)).toBeLessThan(1e-9);
    const file = modelInput(direct.scoreEnd).facets.sluice_model.file;
    expect(file).toMatchObject({ path: 'artifacts/sluice-model.json', flavor: 'sluice', etag: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(modelInput(direct.scoreEnd).facets.sluice_model.artifactUri).toMatch(/^s3:\/\/models\/direct\//);
    const viaServer = await score({ registry: 'mlflow', name: 'churn-logistic', alias: 'champion' });
    expect(viaServer.report.error).toBeUndefined();
    expect(modelInput(viaServer.scoreEnd).facets.sluice_model.file.sha256).toBe(file.sha256);
  });

  it('fails the step before scoring when the alias does not exist, naming the aliases there are', async () => {
    const { report, predictions: rows, scoreEnd } = await score({ registry: 'mlflow', name: 'churn-xgb', alias: 'challenger' });
    expect(report.status).toBe('FAILED');
    expect(report.steps[1]).toMatchObject({
      status: 'FAILED',
      error: expect.stringContaining('has no alias "challenger" (aliases: champion → version 2'),
    });
    expect(rows).toEqual([]);
    expect(scoreEnd?.eventType).toBe('FAIL');
    await withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) => {
      const records = (await store.list(BUCKET, 'predictions/churn/_batches')).map((o) => o.key);
      expect(records.some((k) => k.includes(report.steps[1]?.result?.batchId ?? 'none'))).toBe(false);
    });
  });

  it('refuses a model logged in the default UBJ format, saying how to log it', async () => {
    const { report } = await score({ registry: 'mlflow', name: 'churn-ubj', alias: 'champion' });
    expect(report.status).toBe('FAILED');
    expect(report.steps[1]?.error).toContain('log it with mlflow.xgboost.log_model(booster, name=..., model_format="json")');
  });

  it('runs the documented example: the churn model registered by register-model.py scores as model.json does', async () => {
    const registeredVersion = await run(venv.python, [join(root, 'examples', 'churn', 'register-model.py')], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, MLFLOW_TRACKING_URI: server.url },
    });
    expect(registeredVersion.code, registeredVersion.output).toBe(0);
    expect(registeredVersion.output.trim().split('\n').at(-1)).toBe('1');
    const extract = join(dir, 'churn-customers.csv');
    await generateCustomers(extract, { rows: 2000 });
    const exampleDir = join(root, 'examples', 'churn');
    const scores = async (spec: PipelineSpec, state: string) => {
      const report = await runLocal(spec, {
        stateDir: join(dir, state),
        input: extract,
        baseDir: exampleDir,
        env: {
          MLFLOW_TRACKING_URI: server.url,
          OPENLINEAGE__TRANSPORT__TYPE: 'file',
          OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: join(dir, `${state}.jsonl`),
          OPENLINEAGE__TRANSPORT__APPEND: 'true',
        },
      });
      expect(report.error).toBeUndefined();
      const out = report.steps[3]!.result!.outputs[0]!;
      return withStoredObjects(join(dir, state, 's3'), ['churn-data'], async (store) => {
        const file = join(dir, `${state}.parquet`);
        await store.download(out.bucket, out.key, file);
        const db = await openDuckDb();
        try {
          return {
            report,
            rows: await db.all(`SELECT customer_id, score, model_version FROM read_parquet('${file}') ORDER BY customer_id`),
          };
        } finally {
          db.close();
        }
      });
    };
    const fromRegistry = await scores(churnFromMlflow, 'example-mlflow');
    const fromFile = await scores(churn, 'example-file');
    expect(fromRegistry.rows.map((r) => r.score)).toEqual(fromFile.rows.map((r) => r.score));
    expect(new Set(fromRegistry.rows.map((r) => r.model_version))).toEqual(new Set(['models:/churn/1']));
    const end = (await readEvents(join(dir, 'example-mlflow.jsonl'))).find(
      (e) => e.job.name === 'churn.score' && e.eventType === 'COMPLETE',
    );
    expect(modelInput(end)).toMatchObject({
      name: 'churn',
      facets: { version: { datasetVersion: '1' }, sluice_model: { alias: 'champion' } },
    });
  });

  it('fails the step before scoring when the registry is unreachable', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const { report } = await score({ registry: 'mlflow', name: 'churn-xgb', alias: 'champion' }, { MLFLOW_TRACKING_URI: nowhere });
    expect(report.status).toBe('FAILED');
    expect(report.steps[1]?.error).toContain(`the MLflow registry at ${nowhere} is unreachable`);
    expect(report.steps[1]?.error).toContain('no row was scored');
  });
});
