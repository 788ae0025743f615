// Marquez's delete buttons: a dataset or job is hidden (soft delete), not removed, and comes back when named again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { getJson, post } from './churn-events.ts';

const RUN = '0196f5a0-0000-7000-8000-00000000000a';
const ev = (eventType: string, eventTime: string, job: string, runId: string, over: Record<string, unknown> = {}) => ({
  eventType,
  eventTime,
  producer: 'https://example.com/p',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  run: { runId },
  job: { namespace: 'del', name: job },
  ...over,
});
const ds = (name: string) => ({
  namespace: 'wh',
  name,
  facets: { schema: { _producer: 'p', _schemaURL: 's', fields: [{ name: 'id', type: 'INT' }] } },
});
const del = (url: string, path: string) => fetch(`${url}/api/v1/${path}`, { method: 'DELETE' });

describe('soft deletes', () => {
  let catalog: CatalogServer;
  beforeAll(async () => {
    catalog = await startCatalogServer({ port: 0 });
    const events = [
      ev('START', '2026-01-01T00:00:00Z', 'extract', RUN, { inputs: [ds('raw')], outputs: [ds('staging')] }),
      ev('COMPLETE', '2026-01-01T00:01:00Z', 'extract', RUN, { inputs: [ds('raw')], outputs: [ds('staging')] }),
      ev('START', '2026-01-01T00:02:00Z', 'report', '0196f5a0-0000-7000-8000-00000000000b', { inputs: [ds('staging')] }),
      ev('COMPLETE', '2026-01-01T00:03:00Z', 'report', '0196f5a0-0000-7000-8000-00000000000b', {
        inputs: [ds('staging')],
        outputs: [ds('report')],
      }),
    ];
    for (const e of events) expect((await post(catalog.url, e)).status).toBe(201);
  });
  afterAll(async () => {
    await catalog?.close();
  });

  it('answers a deleted dataset as it was, without column lineage, and then 404 for it', async () => {
    const before = (await getJson(catalog.url, 'namespaces/wh/datasets/staging')).body;
    const res = await del(catalog.url, 'namespaces/wh/datasets/staging');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ...before, columnLineage: null });
    for (const path of ['namespaces/wh/datasets/staging', 'namespaces/wh/datasets/staging/versions', 'lineage?nodeId=dataset:wh:staging'])
      expect([path, (await getJson(catalog.url, path)).status]).toEqual([path, 404]);
    expect((await del(catalog.url, 'namespaces/wh/datasets/staging')).status).toBe(404);
  });

  it('leaves a deleted dataset out of lists, search and other nodes, but not out of runs', async () => {
    const list = (await getJson(catalog.url, 'namespaces/wh/datasets')).body;
    expect([list.totalCount, list.datasets.map((d: { name: string }) => d.name)]).toEqual([2, ['raw', 'report']]);
    expect((await getJson(catalog.url, 'search?q=staging')).body.results).toEqual([]);
    const graph = (await getJson(catalog.url, 'lineage?nodeId=job:del:extract&depth=5')).body.graph;
    expect(graph.map((n: { id: string }) => n.id)).toEqual(['dataset:wh:raw', 'dataset:wh:report', 'job:del:extract', 'job:del:report']);
    const extract = graph.find((n: { id: string }) => n.id === 'job:del:extract');
    expect([extract.data.outputs, extract.outEdges]).toEqual([[], []]);
    const run = (await getJson(catalog.url, `jobs/runs/${RUN}`)).body;
    expect(run.outputDatasetVersions.map((v: { datasetVersionId: { name: string } }) => v.datasetVersionId.name)).toEqual(['staging']);
    // A job read on its own leaves it out of its current version's IO; with none left, it shows what its latest run
    // wrote (as Marquez), and a run keeps what it wrote.
    const extractJob = (await getJson(catalog.url, 'namespaces/del/jobs/extract')).body;
    expect([extractJob.inputs, extractJob.outputs]).toEqual([[{ namespace: 'wh', name: 'raw' }], [{ namespace: 'wh', name: 'staging' }]]);
  });

  it('answers a deleted job without outputs and runs, keeps its runs readable and counts it on the dashboard', async () => {
    const res = await del(catalog.url, 'namespaces/del/jobs/report');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      name: 'report',
      outputs: [],
      latestRun: null,
      latestRuns: null,
      inputs: [{ namespace: 'wh', name: 'staging' }],
    });
    for (const path of ['namespaces/del/jobs/report', 'namespaces/del/jobs/report/runs', 'lineage?nodeId=job:del:report'])
      expect([path, (await getJson(catalog.url, path)).status]).toEqual([path, 404]);
    expect((await getJson(catalog.url, 'namespaces/del/jobs')).body.jobs.map((j: { name: string }) => j.name)).toEqual(['extract']);
    expect((await getJson(catalog.url, 'jobs/runs/0196f5a0-0000-7000-8000-00000000000b')).status).toBe(200);
    expect((await getJson(catalog.url, 'stats/jobs?period=WEEK&timezone=UTC')).body.at(-1).count).toBe(2);
  });

  it('answers 404 for an unknown namespace, dataset or job', async () => {
    expect((await del(catalog.url, 'namespaces/nope/jobs/x')).status).toBe(404);
    expect((await del(catalog.url, 'namespaces/del/jobs/nope')).status).toBe(404);
    expect((await del(catalog.url, 'namespaces/wh/datasets/nope')).status).toBe(404);
  });

  it('brings a deleted dataset and job back, with their history, when an event names them again', async () => {
    const rerun = '0196f5a0-0000-7000-8000-00000000000c';
    expect((await post(catalog.url, ev('START', '2026-01-02T00:00:00Z', 'report', rerun, { inputs: [ds('staging')] }))).status).toBe(201);
    const job = (await getJson(catalog.url, 'namespaces/del/jobs/report/runs')).body;
    expect(job.totalCount).toBe(2);
    const dataset = await getJson(catalog.url, 'namespaces/wh/datasets/staging');
    expect([dataset.status, dataset.body.createdAt, dataset.body.updatedAt]).toEqual([200, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z']);
  });
});
