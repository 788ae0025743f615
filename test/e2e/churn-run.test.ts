import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocal, type RunReport } from '../../lib/local/index.ts';
import { pipelineRunId } from '../../lib/runtime/lineage/run-ids.ts';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import churn from '../../examples/churn/pipeline.ts';
import { validateOpenLineageEvent } from '../support/openlineage-validator.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';
import { captureStderr } from '../support/environment.ts';

const exampleDir = join(import.meta.dirname, '..', '..', 'examples', 'churn');
const STEPS = ['ingest', 'test', 'features', 'score'];

describe('the churn example, run locally through s3rver and the ASL interpreter', () => {
  let dir: string;
  let goodFile: string;
  let badFile: string;
  let eventsFile: string;
  let good: RunReport;
  let bad: RunReport;
  let publishedBeforeBad: string[];
  let publishedAfterBad: string[];

  const env = (): NodeJS.ProcessEnv => ({
    OPENLINEAGE__TRANSPORT__TYPE: 'file',
    OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: eventsFile,
    OPENLINEAGE__TRANSPORT__APPEND: 'true',
  });
  const s3Dir = (): string => join(dir, 'state', 's3');
  const buckets = ['churn-data', 'churn-models'];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-e2e-'));
    goodFile = join(dir, 'customers.csv');
    badFile = join(dir, 'customers-bad.csv');
    eventsFile = join(dir, 'lineage', 'events.jsonl');
    await generateCustomers(goodFile, { rows: 3000 });
    await generateCustomers(badFile, { rows: 3000, bad: true });
    good = await runLocal(churn, { stateDir: join(dir, 'state'), input: goodFile, baseDir: exampleDir, env: env() });
    publishedBeforeBad = await withStoredObjects(s3Dir(), buckets, async (s) =>
      (await s.list('churn-data', 'published/customers')).map((o) => `${o.key}@${o.etag}`),
    );
    bad = await runLocal(churn, { stateDir: join(dir, 'state'), input: badFile, baseDir: exampleDir, env: env() });
    publishedAfterBad = await withStoredObjects(s3Dir(), buckets, async (s) =>
      (await s.list('churn-data', 'published/customers')).map((o) => `${o.key}@${o.etag}`),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const eventsOf = async (report: RunReport) => {
    const runId = report.runId;
    const all = await readEvents(eventsFile);
    return all.filter((e) => e.run.runId === runId || e.run.facets?.parent?.run?.runId === runId);
  };

  it('runs all four steps of a good batch and reports rows per step', () => {
    expect(good.status).toBe('SUCCEEDED');
    expect(good.steps.map((s) => [s.step, s.status])).toEqual(STEPS.map((s) => [s, 'SUCCEEDED']));
    expect(good.steps.map((s) => s.result?.rowsOut)).toEqual([3000, 3000, 3000, 3000]);
    expect(good.steps[1]?.result?.tests).toEqual({ passed: 6, failed: 0, warned: 0 });
    expect(good.trigger).toMatchObject({ kind: 'upload', bucket: 'churn-data', key: 'raw/customers/customers.csv' });
  });

  it('records a START and exactly one COMPLETE for the pipeline run and each step run', async () => {
    const events = await eventsOf(good);
    const count = (job: string, type: string) => events.filter((e) => e.job.name === job && e.eventType === type).length;
    for (const job of ['churn', ...STEPS.map((s) => `churn.${s}`)]) {
      expect([job, count(job, 'START'), count(job, 'COMPLETE'), count(job, 'FAIL')]).toEqual([job, 1, 1, 0]);
    }
    expect(events).toHaveLength(10);
  });

  it('emits events valid against the OpenLineage 2-0-2 schema and every facet schema', async () => {
    for (const event of [...(await eventsOf(good)), ...(await eventsOf(bad))]) {
      expect([event.job.name, event.eventType, validateOpenLineageEvent(event)]).toEqual([event.job.name, event.eventType, []]);
    }
  });

  it('points every step run at the pipeline run through parent and root facets', async () => {
    const events = await eventsOf(good);
    const pipelineRun = pipelineRunId(good.executionArn);
    expect(good.runId).toBe(pipelineRun);
    for (const e of events.filter((x) => x.job.name !== 'churn')) {
      expect(e.run.facets.parent.run.runId).toBe(pipelineRun);
      expect(e.run.facets.parent.job).toEqual({ namespace: 'sluice', name: 'churn' });
      expect(e.run.facets.parent.root.run.runId).toBe(pipelineRun);
      expect(e.job.facets.jobType).toMatchObject({ processingType: 'BATCH', integration: 'SLUICE', jobType: 'TASK' });
    }
    const pipelineEvents = events.filter((x) => x.job.name === 'churn');
    expect(pipelineEvents.every((e) => e.job.facets.jobType.jobType === 'PIPELINE')).toBe(true);
  });

  it('describes datasets with schema, dataSource, version and output statistics', async () => {
    const events = await eventsOf(good);
    const ingestDone = events.find((e) => e.job.name === 'churn.ingest' && e.eventType === 'COMPLETE')!;
    expect(ingestDone.inputs[0]).toMatchObject({ namespace: 's3://churn-data', name: 'raw/customers' });
    expect(ingestDone.inputs[0].facets.version.datasetVersion).toMatch(/^[0-9a-f]{32}$/);
    const staged = ingestDone.outputs.find((o: any) => o.name === 'staged/customers');
    expect(staged.facets.schema.fields.map((f: any) => [f.name, f.type])).toContainEqual(['tenure_months', 'BIGINT']);
    expect(staged.facets.dataSource).toMatchObject({ name: 's3://churn-data', uri: 's3://churn-data' });
    expect(staged.outputFacets.outputStatistics).toMatchObject({ rowCount: 3000, fileCount: 1 });
    expect(staged.facets.columnLineage.fields.tenure_months.inputFields).toEqual([
      expect.objectContaining({ namespace: 's3://churn-data', name: 'raw/customers', field: 'tenure_months' }),
    ]);
    const scored = events.find((e) => e.job.name === 'churn.score' && e.eventType === 'COMPLETE')!;
    expect(scored.inputs.map((i: any) => `${i.namespace}/${i.name}`)).toContain('s3://churn-models/churn/xgboost/model.json');
    const testDone = events.find((e) => e.job.name === 'churn.test' && e.eventType === 'COMPLETE')!;
    expect(testDone.inputs[0].inputFacets.dataQualityAssertions.assertions).toHaveLength(6);
    expect(testDone.inputs[0].inputFacets.dataQualityMetrics.columnMetrics.monthly_charges).toMatchObject({ nullCount: 0 });
  });

  it('writes predictions for every customer, tagged with the model version', async () => {
    const model = await readFile(join(exampleDir, 'model.json'));
    const { createHash } = await import('node:crypto');
    const modelEtag = createHash('md5').update(model).digest('hex');
    expect(good.steps[3]?.result?.modelVersion).toBe(modelEtag);
  });

  it('carries column lineage from the published columns to every feature and from the features to the score', async () => {
    const events = await eventsOf(good);
    const featuresDone = events.find((e) => e.job.name === 'churn.features' && e.eventType === 'COMPLETE')!;
    const lineage = featuresDone.outputs[0].facets.columnLineage;
    const sources = (field: string) =>
      lineage.fields[field].inputFields
        .map((f: any) => `${f.name}.${f.field}:${f.transformations.map((t: any) => t.subtype).join('+')}`)
        .sort();
    expect(Object.keys(lineage.fields)).toEqual(featuresDone.outputs[0].facets.schema.fields.map((f: any) => f.name));
    expect(sources('customer_id')).toEqual(['published/customers.customer_id:IDENTITY']);
    expect(sources('tickets_per_month')).toEqual([
      'published/customers.support_tickets:AGGREGATION',
      'published/customers.tenure_months:AGGREGATION',
    ]);
    expect(sources('is_basic')).toEqual(['published/customers.plan:CONDITIONAL']);
    expect(sources('feature_time')).toEqual([]);
    expect(lineage.dataset).toEqual([
      {
        namespace: 's3://churn-data',
        name: 'published/customers',
        field: 'customer_id',
        transformations: [{ type: 'INDIRECT', subtype: 'GROUP_BY' }],
      },
    ]);
    const scoreDone = events.find((e) => e.job.name === 'churn.score' && e.eventType === 'COMPLETE')!;
    const scoreLineage = scoreDone.outputs[0].facets.columnLineage;
    expect(scoreLineage.fields.score.inputFields.map((f: any) => `${f.name}.${f.field}`)).toContain('features/churn.tickets_per_month');
  });

  it('tags predictions and lineage with a new model version when the model file changes', async () => {
    const changedDir = join(dir, 'changed-model');
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(changedDir, { recursive: true });
    const model = JSON.parse(await readFile(join(exampleDir, 'model.json'), 'utf8'));
    model.learner.attributes = { ...model.learner.attributes, retrained: 'yes' };
    await writeFile(join(changedDir, 'model.json'), JSON.stringify(model));
    const rerun = await runLocal(churn, {
      stateDir: join(dir, 'state'),
      schedule: { name: 'nightly', nominalTime: '2026-11-22T06:00:00Z' },
      baseDir: changedDir,
      env: env(),
    });
    const version = rerun.steps[3]?.result?.modelVersion;
    expect(version).toMatch(/^[0-9a-f]{32}$/);
    expect(version).not.toBe(good.steps[3]?.result?.modelVersion);
    const scoreDone = (await eventsOf(rerun)).find((e) => e.job.name === 'churn.score' && e.eventType === 'COMPLETE')!;
    const modelInput = scoreDone.inputs.find((i: any) => i.namespace === 's3://churn-models');
    expect(modelInput.facets.version.datasetVersion).toBe(version);
    const out = rerun.steps[3]!.result!.outputs[0]!;
    await withStoredObjects(s3Dir(), buckets, async (store) => {
      const file = join(dir, 'rescored.parquet');
      await store.download(out.bucket, out.key, file);
      const { openDuckDb } = await import('../../lib/runtime/duckdb.ts');
      const db = await openDuckDb();
      try {
        expect(await db.all(`SELECT DISTINCT model_version FROM read_parquet('${file}')`)).toEqual([{ model_version: version }]);
      } finally {
        db.close();
      }
    });
  });

  it('never modifies the raw upload', async () => {
    const original = await readFile(goodFile);
    await withStoredObjects(s3Dir(), buckets, async (store) => {
      const copy = join(dir, 'raw-copy.csv');
      await store.download('churn-data', 'raw/customers/customers.csv', copy);
      expect((await readFile(copy)).equals(original)).toBe(true);
    });
  });

  it('fails a bad batch at the data tests, keeping rejected rows with reasons', () => {
    expect(bad.status).toBe('FAILED');
    expect(bad.steps.map((s) => s.status)).toEqual(['SUCCEEDED', 'FAILED', 'NOT_RUN', 'NOT_RUN']);
    expect(bad.steps[0]?.result?.rejectedRows).toBeGreaterThan(0);
    expect(bad.error?.name).toBe('Sluice.DATA_TESTS_FAILED');
    expect(bad.error?.message).toContain('quarantined at s3://churn-data/quarantine/customers/batch=');
    expect(bad.error?.message).toMatch(/unique\(customer_id\): expected 0 duplicate rows, got \d+ duplicate rows/);
  });

  it("reports the failed data-test step's counts, each failed rule with its values and every location written", () => {
    const test = bad.steps[1]!;
    const batch = bad.steps[0]!.result!.batchId;
    expect(test.result).toBeUndefined();
    expect(test.record).toMatchObject({
      status: 'FAILED',
      rowsIn: bad.steps[0]!.result!.rowsOut,
      tests: { passed: 4, failed: 2, warned: 0 },
      error: { code: 'DATA_TESTS_FAILED' },
    });
    expect(test.record!.rules!.map((r) => [r.severity, r.name, r.expected])).toEqual([
      ['error', 'unique(customer_id)', '0 duplicate rows'],
      ['error', 'range(monthly_charges)', 'values in [0, 1000]'],
    ]);
    expect(test.record!.rules![1]!.actual).toMatch(/^\d+ values outside \(observed min -\d+(\.\d+)?, max \d+(\.\d+)?\)$/);
    expect(test.record!.outputs).toEqual([
      expect.objectContaining({ role: 'quarantined', dataset: 'quarantine', key: `quarantine/customers/batch=${batch}/data.parquet` }),
    ]);
    expect(test.record!.attachments!.map((a) => a.key)).toEqual([
      `quarantine/customers/batch=${batch}/report.json`,
      `quarantine/customers/batch=${batch}/failing-rows.parquet`,
    ]);
    const ingest = bad.steps[0]!.record!;
    expect(ingest.outputs.map((o) => o.role)).toEqual(['staged', 'rejected']);
    expect(ingest.rejections).toEqual([
      {
        column: 'tenure_months',
        reason: 'expected an integer',
        rows: ingest.rejectedRows,
        firstRow: expect.any(Number),
        example: '"twelve"',
      },
    ]);
  });

  it('ends the failed run with its alert: root causes with values, the quarantined batch and what was not updated', () => {
    const alert = bad.alert!;
    expect(alert).toMatchObject({
      status: 'FAILED',
      failedStep: { name: 'test', kind: 'dataTests' },
      execution: { arn: bad.executionArn, runId: bad.runId },
      notUpdated: {
        datasets: [
          { ref: 'published', uri: 's3://churn-data/published/customers' },
          { ref: 'features', uri: 's3://churn-data/features/churn' },
          { ref: 'predictions', uri: 's3://churn-data/predictions/churn' },
        ],
        jobs: ['sluice:churn.test', 'sluice:churn.features', 'sluice:churn.score'],
      },
    });
    expect(alert.rootCauses.map((c) => [c.step, c.status, c.rules.map((r) => r.name)])).toEqual([
      ['test', 'FAILED', ['unique(customer_id)', 'range(monthly_charges)']],
      ['ingest', 'SUCCEEDED', []],
    ]);
    expect(alert.quarantined).toEqual([
      expect.objectContaining({ uri: `s3://churn-data/quarantine/customers/batch=${bad.steps[0]!.result!.batchId}/` }),
    ]);
    expect(alert.subject).toBe('Sluice churn: FAILED at test: 2 data tests failed, batch quarantined');
    expect(alert.text).toMatch(/FAILED unique\(customer_id\) on customer_id: expected 0 duplicate rows, got \d+ duplicate rows/);
    expect(good.alert).toBeUndefined();
  });

  it("logs JSON lines naming the execution, run id and step, and each step run's metrics in embedded metric format", async () => {
    expect(bad.logs).toBe(join(dir, 'state', 'logs', 'steps.jsonl'));
    const lines = (await readFile(bad.logs, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const ofBad = lines.filter((l) => l['execution'] === bad.executionArn);
    expect(ofBad.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line).toMatchObject({ pipeline: 'churn', execution: expect.any(String), runId: expect.any(String), step: expect.any(String) });
    const metrics = ofBad.filter((l) => l['_aws'] !== undefined);
    expect(metrics.map((m) => m['Step'])).toEqual(['ingest', 'test']);
    expect(metrics[1]).toMatchObject({
      Pipeline: 'churn',
      RowsIn: bad.steps[0]!.result!.rowsOut,
      FailedRules: 2,
      WarnedRules: 0,
      StepFailed: 1,
      runId: bad.steps[1]!.record!.runId,
      _aws: { CloudWatchMetrics: [{ Namespace: 'Sluice/churn', Dimensions: [['Pipeline', 'Step']] }] },
    });
    expect(ofBad.find((l) => l['level'] === 'ERROR')).toMatchObject({
      step: 'test',
      message: expect.stringMatching(/^step failed: 2 of 6 data tests failed/),
    });
  });

  it('leaves the published prefix unchanged and puts the batch in quarantine', async () => {
    expect(publishedAfterBad).toEqual(publishedBeforeBad);
    const goodBatch = good.steps[0]!.result!.batchId;
    expect(publishedBeforeBad.map((o) => o.split('@')[0])).toEqual([
      `published/customers/_batches/${goodBatch}.json`,
      `published/customers/batch=${goodBatch}/data.parquet`,
    ]);
    const batch = bad.steps[0]!.result!.batchId;
    await withStoredObjects(s3Dir(), buckets, async (store) => {
      const keys = (await store.list('churn-data', 'quarantine/customers')).map((o) => o.key);
      expect(keys).toEqual([
        `quarantine/customers/_batches/${batch}.json`,
        ...['data.parquet', 'failing-rows.parquet', 'report.json'].map((f) => `quarantine/customers/batch=${batch}/${f}`),
      ]);
      const reportFile = join(dir, 'report.json');
      await store.download('churn-data', `quarantine/customers/batch=${batch}/report.json`, reportFile);
      const report = JSON.parse(await readFile(reportFile, 'utf8'));
      expect(report.failingRows['unique(customer_id)'].count).toBeGreaterThan(0);
      const rejected = (await store.list('churn-data', 'rejected/customers')).map((o) => o.key);
      expect(rejected).toEqual([`rejected/customers/_batches/${batch}.json`, `rejected/customers/batch=${batch}/rejected.parquet`]);
    });
  });

  it('carries the failed assertions and the error on the data-test FAIL event', async () => {
    const events = await eventsOf(bad);
    const fail = events.filter((e) => e.job.name === 'churn.test' && e.eventType === 'FAIL');
    expect(fail).toHaveLength(1);
    const assertions = fail[0]!.inputs[0].inputFacets.dataQualityAssertions.assertions;
    expect(assertions.filter((a: any) => !a.success).map((a: any) => a.name)).toEqual(['unique(customer_id)', 'range(monthly_charges)']);
    expect(fail[0]!.run.facets.errorMessage.message).toContain('2 of 6 data tests failed');
    expect(fail[0]!.outputs.map((o: any) => o.name)).toEqual(['quarantine/customers']);
    const pipelineEnd = events.filter((e) => e.job.name === 'churn' && e.eventType !== 'START');
    expect(pipelineEnd.map((e) => e.eventType)).toEqual(['FAIL']);
    expect(events.some((e) => e.job.name === 'churn.features')).toBe(false);
  });

  it('writes byte-identical staged output when the same object is ingested again', async () => {
    const again = await runLocal(churn, { stateDir: join(dir, 'state'), input: goodFile, baseDir: exampleDir, env: env() });
    expect(again.status).toBe('SUCCEEDED');
    const first = good.steps[0]!.result!.outputs[0]!;
    const second = again.steps[0]!.result!.outputs[0]!;
    expect(second.key).toBe(first.key);
    expect(second.etag).toBe(first.etag);
  });

  it('runs the nightly schedule from the feature step over everything published, with a nominal time', async () => {
    const run = await runLocal(churn, {
      stateDir: join(dir, 'state'),
      schedule: { name: 'nightly', nominalTime: '2026-11-23T06:00:00Z' },
      baseDir: exampleDir,
      env: env(),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps.map((s) => s.status)).toEqual(['SKIPPED', 'SKIPPED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(run.steps[3]?.result?.rowsOut).toBe(3000);
    expect(run.steps[3]?.result?.outputs[0]?.key).toBe('predictions/churn/batch=nightly-20261123T060000/data.parquet');
    const events = await eventsOf(run);
    expect(events).toHaveLength(6);
    for (const e of events) expect(e.run.facets.nominalTime.nominalStartTime).toBe('2026-11-23T06:00:00.000Z');
  });
});

describe('a local run whose lineage backend is unreachable', () => {
  it('still succeeds: lineage failures never fail a step', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-down-'));
    try {
      const input = join(dir, 'customers.csv');
      await generateCustomers(input, { rows: 500 });
      const { result: report, stderr } = await captureStderr(() =>
        runLocal(churn, {
          stateDir: join(dir, 'state'),
          input,
          baseDir: exampleDir,
          // Port 9 (discard) refuses connections on loopback; no retries keeps the test quick.
          env: {
            OPENLINEAGE__TRANSPORT__TYPE: 'http',
            OPENLINEAGE__TRANSPORT__URL: 'http://127.0.0.1:9',
            OPENLINEAGE__TRANSPORT__RETRY: '{"total": 0}',
          },
        }),
      );
      expect(report.status).toBe('SUCCEEDED');
      expect(report.lineage).toBe('http http://127.0.0.1:9/api/v1/lineage');
      // One warning per pipeline and step event (START and COMPLETE of the run and of each of the four steps).
      const warnings = stderr.split('\n').filter((l) => l.startsWith('sluice: warning: lineage event'));
      expect(warnings).toHaveLength(10);
      for (const w of warnings) expect(w).toContain('kept in the outbox');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a scheduled local run without --at', () => {
  it("takes the schedule's latest fire time as its nominal time", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-sched-'));
    try {
      const report = await runLocal(churn, {
        stateDir: join(dir, 'state'),
        schedule: { name: 'nightly' },
        baseDir: exampleDir,
        env: { OPENLINEAGE_DISABLED: 'true' },
      });
      const nominal = report.trigger.kind === 'schedule' ? new Date(report.trigger.nominalTime) : undefined;
      expect(nominal?.getUTCHours()).toBe(6);
      expect(nominal?.getUTCMinutes()).toBe(0);
      expect(Date.now() - nominal!.getTime()).toBeLessThan(86_400_000);
      // Nothing is published in a fresh state directory, so the feature step has no input.
      expect(report.error?.name).toBe('Sluice.FEATURE_NO_INPUT');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
