// What Marquez 0.51's web UI reads, answered as Marquez answers it (the differential test compares the rest against
// real Marquez; these run with nothing but Node).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore, ingestEvent, startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { getJson, post } from './churn-events.ts';

const P = { _producer: 'https://example.com/p', _schemaURL: 'https://example.com/s' };
const run = (n: number) => `0196f5a0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const ev = (eventType: string, eventTime: string, job: string, runId: string, over: Record<string, unknown> = {}) => ({
  eventType,
  eventTime,
  producer: 'https://example.com/p',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  run: { runId },
  job: { namespace: 'shapes', name: job },
  ...over,
});
const schema = (...fields: Array<[string, string]>) => ({ schema: { ...P, fields: fields.map(([name, type]) => ({ name, type })) } });
const jobType = { jobType: { ...P, processingType: 'BATCH', integration: 'SPARK', jobType: 'QUERY' } };

describe("Marquez's answers for the web UI", () => {
  let catalog: CatalogServer;
  beforeAll(async () => {
    catalog = await startCatalogServer({ port: 0 });
    const staging = { namespace: 'warehouse', name: 'public.staging_orders', facets: schema(['id', 'INT'], ['amount_usd', 'DECIMAL']) };
    const lineage = {
      columnLineage: {
        ...P,
        fields: { amount_usd: { inputFields: [{ namespace: 'warehouse', name: 'public.raw_orders', field: 'amount' }] } },
      },
    };
    const raw = { namespace: 'warehouse', name: 'public.raw_orders', facets: schema(['id', 'INT'], ['amount', 'DECIMAL']) };
    const events = [
      ev('START', '2026-11-30T10:00:00Z', 'etl.extract', run(1), { job: { namespace: 'shapes', name: 'etl.extract', facets: jobType } }),
      ev('COMPLETE', '2026-11-30T10:01:00.5Z', 'etl.extract', run(1), {
        job: { namespace: 'shapes', name: 'etl.extract', facets: jobType },
        inputs: [raw],
        outputs: [{ ...staging, facets: { ...staging.facets, ...lineage } }],
      }),
      ev('START', '2026-11-30T09:00:00Z', 'etl.cleanup', run(2)),
      ev('START', '2026-11-30T11:00:00.123456Z', 'etl.report', run(3), {
        inputs: [{ namespace: 'warehouse', name: 'public.staging_orders' }],
      }),
    ];
    for (const e of events) expect((await post(catalog.url, e)).status).toBe(201);
  });
  afterAll(async () => {
    await catalog?.close();
  });

  it('always has a default namespace', async () => {
    const fresh = await startCatalogServer({ port: 0 });
    const { body } = await getJson(fresh.url, 'namespaces');
    await fresh.close();
    expect(body.namespaces).toEqual([
      expect.objectContaining({
        name: 'default',
        ownerName: 'anonymous',
        isHidden: false,
        description: expect.stringContaining('default'),
      }),
    ]);
  });

  it('lists jobs most recently updated first, with labels from the job type and times as Marquez writes them', async () => {
    const { body } = await getJson(catalog.url, 'jobs?limit=10&offset=0');
    expect(body.jobs.map((j: { name: string }) => j.name)).toEqual(['etl.report', 'etl.extract', 'etl.cleanup']);
    const extract = body.jobs[1];
    expect([extract.labels, extract.updatedAt, extract.createdAt]).toEqual([
      ['QUERY', 'SPARK'],
      '2026-11-30T10:01:00.500Z',
      '2026-11-30T10:00:00Z',
    ]);
    expect(body.jobs[0].updatedAt).toBe('2026-11-30T11:00:00.123456Z');
    // A batch job whose runs never ended has no version yet, so no facets and no labels.
    expect([body.jobs[2].labels, body.jobs[2].facets]).toEqual([[], {}]);
  });

  it('writes versions with lifecycleState "" and a currentSchemaVersion equal to Marquez’s', async () => {
    const { body } = await getJson(catalog.url, 'namespaces/warehouse/datasets/public.staging_orders/versions');
    const v = body.versions[0];
    expect(v.id).toEqual({ namespace: 'warehouse', name: 'public.staging_orders' });
    // The value Marquez 0.51.1 gave for this dataset and schema.
    expect([v.lifecycleState, v.currentSchemaVersion, 'columnLineage' in v]).toEqual(['', '362e29b4-20bd-33a6-a9d1-cbf018e2a4e0', false]);
    const dataset = (await getJson(catalog.url, 'namespaces/warehouse/datasets/public.staging_orders')).body;
    expect(dataset.lastLifecycleState).toBe('');
  });

  it('answers run facets as Marquez: type required, any case, an empty 200 without facets or for DATASET', async () => {
    const base = `${catalog.url}/api/v1/jobs/runs`;
    expect((await getJson(catalog.url, `jobs/runs/${run(1)}/facets`)).status).toBe(400);
    expect((await getJson(catalog.url, `jobs/runs/${run(1)}/facets?type=foo`)).status).toBe(400);
    expect((await getJson(catalog.url, `jobs/runs/${run(1)}/facets?type=job`)).body.facets.jobType).toMatchObject({ jobType: 'QUERY' });
    for (const type of ['RUN', 'dataset']) {
      const res = await fetch(`${base}/${run(1)}/facets?type=${type}`);
      expect([type, res.status, await res.text(), res.headers.get('content-type')]).toEqual([type, 200, '', null]);
    }
    expect((await getJson(catalog.url, `jobs/runs/${run(9)}/facets?type=run`)).status).toBe(404);
  });

  it('walks column lineage from a dataset’s own records, and from a source downstream (extension)', async () => {
    const staging = (await getJson(catalog.url, 'column-lineage?nodeId=dataset:warehouse:public.staging_orders&depth=2')).body.graph;
    expect(staging.map((n: { id: string }) => n.id)).toEqual([
      'datasetField:warehouse:public.raw_orders:amount',
      'datasetField:warehouse:public.staging_orders:amount_usd',
    ]);
    // An input-only column: no inputs, its type known (Marquez leaves it "").
    expect(staging[0].data).toMatchObject({ fieldType: 'DECIMAL', inputFields: [], transformationType: null });
    const raw = (await getJson(catalog.url, 'column-lineage?nodeId=dataset:warehouse:public.raw_orders&depth=2&withDownstream=true')).body
      .graph;
    expect(raw).toHaveLength(2);
    expect((await getJson(catalog.url, 'column-lineage?nodeId=dataset:warehouse:public.raw_orders&depth=2')).body.graph).toEqual([]);
    expect((await getJson(catalog.url, 'column-lineage?nodeId=dataset:warehouse:nope')).status).toBe(404);
    expect((await getJson(catalog.url, 'column-lineage?nodeId=job:shapes:etl.extract')).body.graph).toHaveLength(2);
  });

  it('answers the advanced-search endpoints as Marquez with search disabled', async () => {
    expect((await fetch(`${catalog.url}/api/v2beta/search/jobs`)).status).toBe(400);
    expect((await fetch(`${catalog.url}/api/v2beta/search/datasets?q=orders`)).status).toBe(503);
    expect((await fetch(`${catalog.url}/api/v2beta/search/nope?q=x`)).status).toBe(404);
  });

  it('rebuilds a file written by an older catalog from the raw events it kept, keeping its tags', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-rebuild-'));
    try {
      const file = join(dir, 'catalog.db');
      const old = new CatalogStore(file);
      for (const e of [ev('START', '2026-11-30T10:00:00Z', 'a', run(5)), ev('COMPLETE', '2026-11-30T10:00:01Z', 'a', run(5))])
        expect(ingestEvent(old, e).status).toBe(201);
      old.run("INSERT INTO tags (name) VALUES ('PII')");
      // What an older catalog left: no layout version, and a table it did not have.
      old.db.exec('PRAGMA user_version = 0; DROP TABLE sources;');
      old.close();
      const store = new CatalogStore(file);
      expect(store.rebuiltEvents).toBe(2);
      expect(store.all('SELECT name, state FROM jobs j JOIN runs r ON r.job_uuid = j.uuid').map((r) => ({ ...r }))).toEqual([
        { name: 'a', state: 'COMPLETED' },
      ]);
      expect(store.get<{ n: number }>('SELECT count(*) AS n FROM tags')!.n).toBe(1);
      store.close();
      const again = new CatalogStore(file);
      expect(again.rebuiltEvents).toBeUndefined();
      again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
