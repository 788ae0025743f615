import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { getJson, post } from './churn-events.ts';

const RUN_ID = '0196f5a0-8f3a-7c4e-9a51-2b7d3c4e5f60';
const event = (over: Record<string, unknown> = {}) => ({
  eventType: 'COMPLETE',
  eventTime: '2025-06-01T10:00:00Z',
  producer: 'https://example.com/producer',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  run: { runId: RUN_ID },
  job: { namespace: 'hostile', name: 'job' },
  inputs: [{ namespace: 's3://in', name: 'a' }],
  outputs: [{ namespace: 's3://out', name: 'b' }],
  ...over,
});

describe('the catalog under hostile and malformed requests', () => {
  let catalog: CatalogServer;
  beforeAll(async () => {
    catalog = await startCatalogServer({ port: 0, maxBodyBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await catalog?.close();
  });

  it.each([
    ['malformed JSON', '{"eventTime": ', 400, /unparsable JSON/],
    ['a JSON array', '[1,2]', 400, /JSON object/],
    ['a date without time', JSON.stringify(event({ eventTime: '2021-11-03' })), 400, /eventTime/],
    ['an unknown eventType', JSON.stringify(event({ eventType: 'EXPLODE' })), 400, /eventType/],
    [
      'an illegal dataset namespace',
      JSON.stringify(event({ outputs: [{ namespace: "s3://x'; DROP TABLE datasets;--", name: 'b' }] })),
      400,
      /namespace/,
    ],
    ['a NUL in a job name', JSON.stringify(event({ job: { namespace: 'n', name: 'a\u0000b' } })), 400, /control characters/],
  ])('answers 400 to %s', async (_what, body, status, message) => {
    const res = await post(catalog.url, body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
  });

  it('answers 422 naming every problem of an invalid event', async () => {
    const res = await post(catalog.url, {
      eventType: 'START',
      eventTime: '2025-06-01T10:00:00Z',
      run: { runId: 7, facets: { parent: { _producer: 'p', _schemaURL: 's', run: {} } } },
      job: { namespace: 'n' },
      inputs: [{ name: 'x' }],
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: string[] };
    expect(body.errors).toEqual([
      'producer: must not be null',
      'run.runId: expected a string, got number',
      'run.facets.parent.run.runId: must not be null',
      'run.facets.parent.job.namespace: must not be null',
      'run.facets.parent.job.name: must not be null',
      'job.name: must not be null',
      'inputs[0].namespace: must not be null',
    ]);
  });

  it('answers 413 to a body over the limit, plain or as a gzip bomb', async () => {
    const huge = JSON.stringify(event({ padding: 'x'.repeat(200 * 1024) }));
    expect((await post(catalog.url, huge)).status).toBe(413);
    const bomb = gzipSync(Buffer.from(huge));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect((await post(catalog.url, bomb, { 'content-encoding': 'gzip' })).status).toBe(413);
  });

  it('accepts a gzip body, a non-UUID run id and a time without a zone', async () => {
    const body = gzipSync(Buffer.from(JSON.stringify(event({ run: { runId: 'airflow-run-1' }, eventTime: '2025-06-01T10:00:00' }))));
    expect((await post(catalog.url, body, { 'content-encoding': 'gzip' })).status).toBe(201);
    const { body: runs } = await getJson(catalog.url, 'namespaces/hostile/jobs/job/runs');
    expect(runs.runs[0]).toMatchObject({ state: 'COMPLETED', endedAt: '2025-06-01T10:00:00Z' });
    expect(runs.runs[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-3/);
  });

  it('stores injection attempts in names verbatim and keeps every table', async () => {
    const name = "x'); DROP TABLE jobs; --";
    expect(
      (await post(catalog.url, event({ job: { namespace: 'hostile', name }, run: { runId: '0196f5a0-8f3a-7c4e-9a51-2b7d3c4e5f61' } })))
        .status,
    ).toBe(201);
    const { body } = await getJson(catalog.url, `namespaces/hostile/jobs/${encodeURIComponent(name)}`);
    expect(body.name).toBe(name);
    const search = await getJson(catalog.url, `search?q=${encodeURIComponent("%' OR 1=1 --")}`);
    expect(search).toEqual({ status: 200, body: { totalCount: 0, results: [] } });
    expect((await getJson(catalog.url, 'jobs')).body.totalCount).toBeGreaterThan(0);
  });

  it.each([
    ['lineage?nodeId=nonsense', 400],
    ['lineage?nodeId=job:nope:nope', 404],
    ['lineage?nodeId=job:hostile:job&depth=-1', 400],
    ['lineage?nodeId=job:hostile:job&depth=abc', 400],
    ['lineage?nodeId=job:hostile:job&direction=sideways', 400],
    ['namespaces/hostile/jobs?limit=1e9', 400],
    ['namespaces/%E0%A4%A/jobs', 400],
    ['jobs/runs/not-a-run', 404],
    ['search', 400],
    ['events/lineage?before=yesterday', 400],
    ['no/such/route', 404],
  ])('answers GET %s with %i and a message', async (path, status) => {
    const { status: got, body } = await getJson(catalog.url, path);
    expect(got).toBe(status);
    expect(body.message).toEqual(expect.any(String));
  });

  it('keeps serving after all of the above', async () => {
    expect((await getJson(catalog.url, 'namespaces')).status).toBe(200);
  });
});

describe('the catalog with an API key', () => {
  let catalog: CatalogServer;
  beforeAll(async () => {
    catalog = await startCatalogServer({ port: 0, apiKey: 'sekret', protectReads: true });
  });
  afterAll(async () => {
    await catalog?.close();
  });

  it('refuses writes and reads without the key and accepts them with it', async () => {
    expect((await post(catalog.url, event())).status).toBe(401);
    expect((await post(catalog.url, event(), { authorization: 'Bearer wrong!' })).status).toBe(401);
    expect((await getJson(catalog.url, 'namespaces')).status).toBe(401);
    expect((await post(catalog.url, event(), { authorization: 'Bearer sekret' })).status).toBe(201);
    const res = await fetch(`${catalog.url}/api/v1/namespaces`, { headers: { authorization: 'Bearer sekret' } });
    expect(res.status).toBe(200);
  });
});
