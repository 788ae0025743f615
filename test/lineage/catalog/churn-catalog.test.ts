import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { churnEventStream, getJson, post } from './churn-events.ts';
import type { ChurnStream } from './churn-events.ts';

const enc = encodeURIComponent;
const NS = 's3://churn-data';

describe('the catalog fed with the churn example (good batch, then bad batch)', () => {
  let catalog: CatalogServer;
  let stream: ChurnStream;

  beforeAll(async () => {
    stream = await churnEventStream();
    catalog = await startCatalogServer({ port: 0 });
    for (const event of stream.events) expect((await post(catalog.url, event)).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await catalog?.close();
  });

  it('lists the job namespace and the dataset namespaces', async () => {
    const { body } = await getJson(catalog.url, 'namespaces');
    // Marquez always has a `default` namespace.
    expect(body.namespaces.map((n: { name: string }) => n.name)).toEqual(['default', 's3://churn-data', 's3://churn-models', 'sluice']);
    expect(body.namespaces[1]).toMatchObject({ ownerName: 'anonymous', isHidden: false });
  });

  it('names step jobs parent.child and links them to the pipeline job', async () => {
    const { body } = await getJson(catalog.url, 'namespaces/sluice/jobs');
    expect(body.jobs.map((j: { name: string }) => j.name).sort()).toEqual([
      'churn',
      'churn.features',
      'churn.ingest',
      'churn.score',
      'churn.test',
    ]);
    // Most recently updated first: the pipeline run ends after its steps.
    expect(body.jobs[0].name).toBe('churn');
    const test = body.jobs.find((j: { name: string }) => j.name === 'churn.test');
    expect(test).toMatchObject({
      simpleName: 'test',
      parentJobName: 'churn',
      type: 'BATCH',
      id: { namespace: 'sluice', name: 'churn.test' },
    });
    expect(test.latestRun.state).toBe('FAILED');
    expect(test.inputs).toEqual([{ namespace: NS, name: 'staged/customers' }]);
    expect(test.outputs).toEqual([
      { namespace: NS, name: 'published/customers' },
      { namespace: NS, name: 'quarantine/customers' },
    ]);
  });

  it('records the run states and durations of both pipeline runs', async () => {
    const { body } = await getJson(catalog.url, 'namespaces/sluice/jobs/churn/runs');
    expect(body.totalCount).toBe(2);
    expect(body.runs.map((r: { id: string; state: string }) => [r.id, r.state])).toEqual([
      [stream.bad.runId, 'FAILED'],
      [stream.good.runId, 'COMPLETED'],
    ]);
    expect(body.runs[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(body.runs[0].facets.errorMessage.message).toMatch(/data tests failed/);
  });

  it('keeps the failed data test run with the assertions it read and the quarantined batch it wrote', async () => {
    const { body: jobs } = await getJson(catalog.url, `namespaces/sluice/jobs/${enc('churn.test')}/runs`);
    const failed = jobs.runs[0];
    expect(failed.state).toBe('FAILED');
    const staged = failed.inputDatasetVersions[0];
    expect(staged.datasetVersionId).toMatchObject({ namespace: NS, name: 'staged/customers' });
    const failedAssertions = staged.facets.dataQualityAssertions.assertions.filter((a: { success: boolean }) => !a.success);
    expect(failedAssertions.map((a: { name: string }) => a.name)).toEqual(['unique(customer_id)', 'range(monthly_charges)']);
    expect(failed.outputDatasetVersions.map((o: { datasetVersionId: { name: string } }) => o.datasetVersionId.name)).toEqual([
      'published/customers',
      'quarantine/customers',
    ]);
  });

  it('makes only completed outputs current: the failed run leaves published/customers at the good batch', async () => {
    const { body: published } = await getJson(catalog.url, `namespaces/${enc(NS)}/datasets/${enc('published/customers')}`);
    const { body: versions } = await getJson(catalog.url, `namespaces/${enc(NS)}/datasets/${enc('published/customers')}/versions`);
    const good = versions.versions.find(
      (v: { createdByRun: { id: string; state: string } | null }) =>
        v.createdByRun?.id !== undefined && v.createdByRun.state === 'COMPLETED',
    );
    expect(published.currentVersion).toBe(good.version);
    expect(published.fields.map((f: { name: string }) => f.name)).toContain('customer_id');
    const { body: staged } = await getJson(catalog.url, `namespaces/${enc(NS)}/datasets/${enc('staged/customers')}`);
    expect(staged.facets.dataQualityAssertions.assertions.some((a: { success: boolean }) => !a.success)).toBe(true);
  });

  it('answers /lineage with the whole graph from the raw upload to the predictions, sorted by id', async () => {
    const { status, body } = await getJson(catalog.url, `lineage?nodeId=${enc(`dataset:${NS}:predictions/churn`)}&depth=20`);
    expect(status).toBe(200);
    const ids = body.graph.map((n: { id: string }) => n.id);
    expect(ids).toEqual([...ids].sort());
    for (const id of [
      'job:sluice:churn.ingest',
      'job:sluice:churn.test',
      'job:sluice:churn.features',
      'job:sluice:churn.score',
      `dataset:${NS}:raw/customers`,
      `dataset:${NS}:quarantine/customers`,
    ]) {
      expect(ids).toContain(id);
    }
    const score = body.graph.find((n: { id: string }) => n.id === 'job:sluice:churn.score');
    expect(score.outEdges).toEqual([{ origin: 'job:sluice:churn.score', destination: `dataset:${NS}:predictions/churn` }]);
    expect(score.inEdges.map((e: { origin: string }) => e.origin)).toEqual([
      `dataset:${NS}:features/churn`,
      'dataset:s3://churn-models:churn/xgboost/model.json',
    ]);
  });

  it('walks strictly upstream or downstream when asked (extension)', async () => {
    const up = await getJson(catalog.url, `lineage?nodeId=${enc('job:sluice:churn.features')}&depth=20&direction=upstream`);
    const upIds = up.body.graph.map((n: { id: string }) => n.id);
    expect(upIds).toContain('job:sluice:churn.ingest');
    expect(upIds).not.toContain('job:sluice:churn.score');
    const down = await getJson(catalog.url, `lineage?nodeId=${enc(`dataset:${NS}:staged/customers`)}&depth=20&direction=downstream`);
    const downIds = down.body.graph.map((n: { id: string }) => n.id);
    expect(downIds).toEqual(
      expect.arrayContaining(['job:sluice:churn.test', `dataset:${NS}:features/churn`, `dataset:${NS}:predictions/churn`]),
    );
    expect(downIds).not.toContain('job:sluice:churn.ingest');
  });

  it('traces run-level lineage: the versions a run read and the runs that produced them', async () => {
    const { body: runs } = await getJson(catalog.url, `namespaces/sluice/jobs/${enc('churn.test')}/runs`);
    const { body } = await getJson(catalog.url, `runlineage/upstream?runId=${runs.runs[0].id}`);
    expect(body.runs.map((r: { job: { name: string } }) => r.job.name)).toEqual(['churn.test', 'churn.ingest']);
    expect(body.runs[0].inputs[0]).toMatchObject({ name: 'staged/customers', producedByRunId: body.runs[1].run.id });
  });

  it('answers column lineage back to the raw upload', async () => {
    const { status, body } = await getJson(
      catalog.url,
      `column-lineage?nodeId=${enc(`datasetField:${NS}:published/customers:monthly_charges`)}&depth=10`,
    );
    expect(status).toBe(200);
    expect(body.graph.map((n: { id: string }) => n.id)).toContain(`datasetField:${NS}:raw/customers:monthly_charges`);
    expect(body.graph.every((n: { type: string }) => n.type === 'DATASET_FIELD')).toBe(true);
  });

  it('searches jobs and datasets and serves the raw events newest first', async () => {
    const { body } = await getJson(catalog.url, 'search?q=customers&filter=DATASET');
    expect(body.results.map((r: { nodeId: string }) => r.nodeId)).toContain(`dataset:${NS}:quarantine/customers`);
    const { body: events } = await getJson(catalog.url, 'events/lineage?limit=3&before=2100-01-01T00:00:00Z');
    expect(events.events).toHaveLength(3);
    expect(events.totalCount).toBe(stream.events.length);
    expect(events.events[0].eventType).toBe('FAIL');
  });

  it('serves run facets and job facets of a run', async () => {
    const { body } = await getJson(catalog.url, `jobs/runs/${stream.bad.runId}/facets?type=job`);
    expect(body.facets.jobType).toMatchObject({ jobType: 'PIPELINE', integration: 'SLUICE' });
  });

  it('tags a dataset and lists the tag', async () => {
    const put = await fetch(`${catalog.url}/api/v1/tags/PII`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'personal data' }),
    });
    expect(put.status).toBe(200);
    const tagged = await fetch(`${catalog.url}/api/v1/namespaces/${enc(NS)}/datasets/${enc('raw/customers')}/tags/PII`, { method: 'POST' });
    expect(((await tagged.json()) as { tags: string[] }).tags).toEqual(['PII']);
    expect((await getJson(catalog.url, 'tags')).body.tags).toEqual([{ name: 'PII', description: 'personal data' }]);
  });
});
