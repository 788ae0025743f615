// Differential test: the same event streams into real Marquez and into the embedded catalog; namespaces, jobs,
// datasets, run states and every /lineage graph must be the same (lineage/catalog/README.md lists the extensions,
// which these reads do not use). The generated graph's seed changes each run unless SLUICE_DIFF_SEED is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateGraphEvents } from '../../../bench/catalog/graph-events.ts';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { churnEventStream, post } from '../../lineage/catalog/churn-events.ts';
import { compareSnapshots, snapshotCatalog } from './compare-catalogs.ts';
import type { CatalogSnapshot } from './compare-catalogs.ts';
import { startMarquez } from './harness.ts';
import type { MarquezHandle } from './harness.ts';

const seed = Number(process.env.SLUICE_DIFF_SEED ?? Math.floor(Math.random() * 1e9));

describe(`the embedded catalog and Marquez on the same events (generated graph seed ${seed})`, () => {
  let marquez: MarquezHandle;
  let catalog: CatalogServer;
  const streams: Record<string, Record<string, unknown>[]> = {};

  async function postToBoth(events: Record<string, unknown>[]): Promise<void> {
    for (const event of events) {
      const [m, c] = await Promise.all([post(marquez.url, event), post(catalog.url, event)]);
      if (m.status !== 201 || c.status !== 201)
        throw new Error(
          `Marquez ${m.status} ${await m.text()}, catalog ${c.status} ${await c.text()} for ${JSON.stringify(event).slice(0, 300)}`,
        );
    }
  }

  const snapshots = (namespaces: string[], depths: number[]): Promise<[CatalogSnapshot, CatalogSnapshot]> =>
    Promise.all([snapshotCatalog(marquez.url, { namespaces, depths }), snapshotCatalog(catalog.url, { namespaces, depths })]);

  beforeAll(async () => {
    process.stderr.write(`[differential] generated graph seed ${seed} (SLUICE_DIFF_SEED=${seed} repeats it)\n`);
    const [m, churn] = await Promise.all([startMarquez(), churnEventStream(300)]);
    marquez = m;
    catalog = await startCatalogServer({ port: 0 });
    streams['churn'] = churn.events;
    // Several pipelines, shared datasets, a parent job for some, two runs per job (IO accumulates and changes), failures.
    streams['generated'] = generateGraphEvents({
      pipelines: 6,
      jobsPerPipeline: 10,
      referenceDatasets: 5,
      runsPerJob: 2,
      failEvery: 7,
      withParent: 2,
      seed,
      namespace: 'diff',
    }).events;
    await postToBoth(streams['churn']);
    await postToBoth(streams['generated']);
  }, 600_000);

  afterAll(async () => {
    await catalog?.close();
    await marquez?.stop();
  });

  it('accepts every event of both streams in both (201)', () => {
    expect(streams['churn']!.length).toBeGreaterThanOrEqual(16); // good batch 10, bad batch 6
    expect(streams['generated']!.length).toBe(6 * 10 * 2 * 2);
  });

  it('the churn example: same jobs, datasets, run states and /lineage of every node at depths 0, 1, 2 and 20', async () => {
    const namespaces = ['sluice', 's3://churn-data'];
    const [inMarquez, inCatalog] = await snapshots(namespaces, [0, 1, 2, 20]);
    expect(Object.keys(inMarquez.jobs).length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(inMarquez.lineage).length).toBeGreaterThan(40);
    expect(compareSnapshots(inMarquez, inCatalog, ['Marquez', 'catalog'])).toEqual([]);
  }, 300_000);

  it('the generated multi-pipeline graph: same jobs, datasets, run states and /lineage of every node at depths 1, 3 and 20', async () => {
    const namespaces = ['diff-jobs', 's3://diff-lake', 'diff-warehouse'];
    const [inMarquez, inCatalog] = await snapshots(namespaces, [1, 3, 20]);
    expect(Object.keys(inMarquez.jobs).length).toBeGreaterThanOrEqual(60);
    expect(
      Object.values(inMarquez.runs)
        .flat()
        .some((r) => r.endsWith(' FAILED')),
    ).toBe(true);
    expect(compareSnapshots(inMarquez, inCatalog, ['Marquez', 'catalog'])).toEqual([]);
  }, 600_000);

  it('lists the same namespaces (the churn and generated ones)', async () => {
    const names = async (url: string) =>
      ((await (await fetch(`${url}/api/v1/namespaces`)).json()) as { namespaces: Array<{ name: string }> }).namespaces
        .map((n) => n.name)
        .filter((n) => n !== 'default')
        .sort();
    expect(await names(catalog.url)).toEqual(await names(marquez.url));
  });
});
