// Differential test: the same event streams go to real Marquez and to the embedded catalog, and every read endpoint
// the web UI uses must answer the same, field by field, apart from the allowances (allowances.ts), each a documented
// extension or difference of lineage/catalog/README.md. Streams: the churn example's runs, a generated multi-pipeline
// graph and two varied streams (varied-events.ts), with new seeds each run unless SLUICE_DIFF_SEED is set. Then tags,
// a deleted dataset and job, and their return when events name them again, are compared the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateGraphEvents } from '../../../bench/catalog/graph-events.ts';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { churnEventStream, post } from '../../lineage/catalog/churn-events.ts';
import { ALLOWANCES } from './allowances.ts';
import { compareReadings } from './compare-answers.ts';
import { compareServers, factsOf } from './compare-catalogs.ts';
import type { CompareOptions, ServerComparison } from './compare-catalogs.ts';
import { startMarquez } from './harness.ts';
import type { MarquezHandle } from './harness.ts';
import { ask } from './read-api.ts';
import type { Answer, Reading } from './read-api.ts';
import { tokenizeIds } from './server-ids.ts';
import { generateVariedEvents } from './varied-events.ts';

type Obj = Record<string, any>;
const seed = Number(process.env.SLUICE_DIFF_SEED ?? Math.floor(Math.random() * 1e9));
const enc = encodeURIComponent;

describe(`the embedded catalog and Marquez on the same events (seed ${seed})`, () => {
  let marquez: MarquezHandle;
  let catalog: CatalogServer;
  const posted: Obj[] = [];
  const varied = [generateVariedEvents({ seed, prefix: 'va' }), generateVariedEvents({ seed: seed + 1, prefix: 'vb' })];
  const used = new Map<string, number>();
  let requests = 0;

  async function postToBoth(events: readonly Obj[]): Promise<void> {
    for (const event of events) {
      const [m, c] = await Promise.all([post(marquez.url, event), post(catalog.url, event)]);
      if (m.status !== 201 || c.status !== 201)
        throw new Error(
          `Marquez ${m.status} ${await m.text()}, catalog ${c.status} ${await c.text()} for ${JSON.stringify(event).slice(0, 300)}`,
        );
      posted.push(event);
    }
  }

  // Marquez counts the dashboard's earlier hours from a view it refreshes once an hour; refreshed here, so its charts
  // are as current as the catalog's live counts.
  async function compare(opts: Partial<CompareOptions> = {}): Promise<ServerComparison> {
    marquez.sql('REFRESH MATERIALIZED VIEW lineage_events_by_type_hourly_view');
    const today = new Date().toISOString().slice(0, 10);
    const weekAgo = new Date(Date.now() - 8 * 86_400_000).toISOString().slice(0, 10);
    const result = await compareServers(marquez.url, catalog.url, {
      // The UI's depth (2) and Marquez's default (20) for /lineage; the UI's for /column-lineage.
      lineageDepths: [2, 20],
      columnDepths: [2],
      // Each matches fewer than the 100 results asked for (Marquez picks which 100 at random otherwise).
      searches: ['step', 'raw', 'churn', 'dim'],
      eventWindows: [{ after: `${weekAgo}T00:00:00.000Z`, before: `${today}T23:59:59.000Z` }],
      statsZones: ['UTC', 'America/New_York', 'Asia/Tokyo'],
      events: posted,
      ...opts,
    });
    for (const [id, n] of Object.entries(result.allowed)) used.set(id, (used.get(id) ?? 0) + n);
    requests += result.compared;
    return result;
  }

  beforeAll(async () => {
    process.stderr.write(`[differential] seed ${seed} (SLUICE_DIFF_SEED=${seed} repeats it)\n`);
    const [m, churn] = await Promise.all([startMarquez(), churnEventStream(300)]);
    marquez = m;
    catalog = await startCatalogServer({ port: 0 });
    await postToBoth(churn.events);
    await postToBoth(
      generateGraphEvents({
        pipelines: 3,
        jobsPerPipeline: 8,
        referenceDatasets: 4,
        runsPerJob: 2,
        failEvery: 7,
        withParent: 1,
        seed,
        namespace: 'diff',
      }).events,
    );
    for (const stream of varied) await postToBoth(stream.events);
  }, 600_000);

  afterAll(async () => {
    await catalog?.close();
    await marquez?.stop();
    process.stderr.write(`[differential] ${requests} requests compared; allowances used: ${JSON.stringify(Object.fromEntries(used))}\n`);
  });

  it('answers every read the web UI makes the same, field by field, apart from the documented allowances', async () => {
    const result = await compare();
    expect(result.compared).toBeGreaterThan(300);
    expect(result.differences).toEqual([]);
    // The streams exercise the differences the allowances describe, so each allowance is seen doing its work.
    for (const id of [
      'event-time-clock',
      'lineage-latest-run',
      'run-state-by-event-time',
      'facets-as-posted',
      'transformations-1-2-0',
      'input-version-by-facet',
    ])
      expect([id, used.get(id) ?? 0]).not.toEqual([id, 0]);
  }, 900_000);

  it('answers the same after tags are made and set on a job, a dataset and a field', async () => {
    // A job without a parent: Marquez answers 500 to tagging a child job (it looks the job up by its simple name).
    const job = `namespaces/va-jobs/jobs/${enc('maintenance.vacuum')}`;
    const dataset = `namespaces/${enc('s3://va-lake')}/datasets/${enc('pipe0/raw')}`;
    const field = (await ask(catalog.url, dataset)).body as Obj;
    const paths = [
      `tags/PII`,
      `${job}/tags/PII`,
      `${dataset}/tags/PII`,
      `${dataset}/fields/${enc(String(field['fields'][0]['name']))}/tags/PII`,
    ];
    for (const url of [marquez.url, catalog.url]) {
      const put = await fetch(`${url}/api/v1/tags/PII`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{"description":"personal data"}',
      });
      expect(put.status).toBe(200);
      for (const p of paths.slice(1)) expect([p, (await fetch(`${url}/api/v1/${p}`, { method: 'POST' })).status]).toEqual([p, 200]);
    }
    const result = await compare({
      namespaces: ['va-jobs', 's3://va-lake', 'va-warehouse'],
      lineageDepths: [2],
      columnDepths: [],
      searches: [],
      eventWindows: [],
    });
    expect(result.differences).toEqual([]);
  }, 600_000);

  // A dataset and a job the stream surely made (a later stage of a pipeline, a step that ran), chosen from the lists.
  const chosen = { dataset: '', job: '' };

  it('deletes a dataset and a job as Marquez does (soft delete), answering the same before and after', async () => {
    const datasets = (await ask(catalog.url, `namespaces/${enc('s3://va-lake')}/datasets?limit=1000`)).body as Obj;
    const jobs = (await ask(catalog.url, 'namespaces/va-jobs/jobs?limit=1000')).body as Obj;
    chosen.dataset = (datasets['datasets'] as Obj[]).map((d) => String(d['name'])).find((n) => /stage/.test(n))!;
    chosen.job = (jobs['jobs'] as Obj[]).map((j) => String(j['name'])).find((n) => /^pipe\d+\.step[1-9]/.test(n))!;
    expect([chosen.dataset, chosen.job].every(Boolean)).toBe(true);
    const dataset = `namespaces/${enc('s3://va-lake')}/datasets/${enc(chosen.dataset)}`;
    const job = `namespaces/va-jobs/jobs/${enc(chosen.job)}`;
    // The versions as they were, so the version ids in the answers to the deletes can be told apart.
    const before = `${dataset}/versions?limit=10000&offset=0`;
    const versions = await Promise.all([ask(marquez.url, before), ask(catalog.url, before)]);
    const requests = [dataset, job, dataset, 'namespaces/nope/datasets/x', 'namespaces/va-jobs/jobs/nope'];
    const answers: Array<[Answer, Answer]> = [];
    for (const path of requests) answers.push(await Promise.all([ask(marquez.url, path, 'DELETE'), ask(catalog.url, path, 'DELETE')]));
    expect(answers.map(([m, c]) => [m.status, c.status])).toEqual([
      [200, 200],
      [200, 200],
      [404, 404],
      [404, 404],
      [404, 404],
    ]);
    expect(answers[0]![1].body).toMatchObject({ name: chosen.dataset, columnLineage: null, deleted: false });
    expect(answers[1]![1].body).toMatchObject({ name: chosen.job, outputs: [], latestRun: null, latestRuns: null });
    const after = [
      dataset,
      `${dataset}/versions`,
      job,
      `${job}/runs`,
      `lineage?nodeId=${enc(`dataset:s3://va-lake:${chosen.dataset}`)}&depth=2`,
    ];
    // Everything of the stream the deletes touched, the lists across namespaces and the dashboard's counts.
    const result = await compare({ namespaces: ['va-jobs', 's3://va-lake', 'va-warehouse'], extra: after });
    expect(result.differences).toEqual([]);
    for (const p of after) expect([p, result.catalog.get(p)?.status]).toEqual([p, 404]);
    // What each answered to the deletes themselves, compared with the same rules.
    const withDeletes = (reading: Reading, i: 0 | 1): Reading =>
      new Map([...reading, [`before ${before}`, versions[i]], [`DELETE ${dataset}`, answers[0]![i]], [`DELETE ${job}`, answers[1]![i]]]);
    const deletes = compareReadings(
      tokenizeIds(withDeletes(result.marquez, 0)),
      tokenizeIds(withDeletes(result.catalog, 1)),
      factsOf(posted, result.marquez, result.catalog),
    );
    expect(deletes.differences).toEqual([]);
  }, 900_000);

  it('brings a deleted dataset and job back when events name them again', async () => {
    const start = varied[0]!.events.find((e) => (e['job'] as Obj)['name'] === chosen.job && e['eventType'] === 'START')!;
    const event = structuredClone(start);
    event['eventTime'] = new Date(Date.now() - 60_000).toISOString();
    (event['run'] as Obj)['runId'] = '01930000-0000-7000-8000-00000000c0de';
    event['inputs'] = [{ namespace: 's3://va-lake', name: chosen.dataset, facets: {} }];
    await postToBoth([event]);
    const result = await compare({
      namespaces: ['va-jobs', 's3://va-lake', 'va-warehouse'],
      lineageDepths: [2],
      columnDepths: [2],
      searches: ['stage'],
      eventWindows: [],
    });
    expect(result.differences).toEqual([]);
    expect(result.catalog.get(`namespaces/va-jobs/jobs/${enc(chosen.job)}`)?.status).toBe(200);
    expect(result.catalog.get(`namespaces/${enc('s3://va-lake')}/datasets/${enc(chosen.dataset)}`)?.status).toBe(200);
  }, 900_000);

  it('lists every allowance it may use in lineage/catalog/README.md', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../../lineage/catalog/README.md', import.meta.url), 'utf8');
    for (const a of ALLOWANCES) expect([a.id, readme.includes(a.readme)]).toEqual([a.id, true]);
  });
});
