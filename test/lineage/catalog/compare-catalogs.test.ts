// The differential test against Marquez (test/integration/marquez) relies on this comparison; here it is shown to
// find real differences, between two embedded catalogs fed slightly different streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateGraphEvents } from '../../../bench/catalog/graph-events.ts';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { compareSnapshots, snapshotCatalog } from '../../integration/marquez/compare-catalogs.ts';
import { post } from './churn-events.ts';

const graph = generateGraphEvents({
  pipelines: 3,
  jobsPerPipeline: 6,
  referenceDatasets: 3,
  runsPerJob: 2,
  failEvery: 5,
  withParent: 1,
  seed: 11,
});
type Event = { eventType: string; job: { name: string }; inputs: Array<{ namespace: string; name: string }> };

async function catalogWith(events: Record<string, unknown>[]): Promise<CatalogServer> {
  const catalog = await startCatalogServer({ port: 0 });
  for (const e of events) expect((await post(catalog.url, e)).status).toBe(201);
  return catalog;
}

describe('compareSnapshots over two catalogs', () => {
  const catalogs: CatalogServer[] = [];
  const snap = (c: CatalogServer) => snapshotCatalog(c.url, { depths: [1, 20] });
  let reference: Awaited<ReturnType<typeof snap>>;

  beforeAll(async () => {
    catalogs.push(await catalogWith(graph.events));
    reference = await snap(catalogs[0]!);
  }, 60_000);
  afterAll(async () => {
    for (const c of catalogs) await c.close();
  });

  it('finds nothing when both got the same stream', async () => {
    const same = await catalogWith(graph.events);
    catalogs.push(same);
    expect(Object.keys(reference.jobs).length).toBeGreaterThan(15);
    expect(Object.keys(reference.lineage).length).toBeGreaterThan(60);
    expect(compareSnapshots(reference, await snap(same))).toEqual([]);
  });

  it('finds a run whose terminal event is missing', async () => {
    const last = graph.events.findLastIndex((e) => (e as Event).eventType === 'COMPLETE');
    const name = (graph.events[last] as Event).job.name;
    const missing = await catalogWith(graph.events.filter((_, i) => i !== last));
    catalogs.push(missing);
    const diff = compareSnapshots(reference, await snap(missing), ['full', 'missing'], 10_000);
    expect(diff.some((d) => d.includes(name) && d.includes('latestRunState') && d.includes('"COMPLETED"') && d.includes('"RUNNING"'))).toBe(
      true,
    );
    expect(diff.some((d) => d.startsWith('.runs.') && d.includes(name))).toBe(true);
  });

  it('finds an edge one catalog has and the other does not', async () => {
    const events = structuredClone(graph.events);
    // The last run of a job: its IO is the job's current version, so the edge shows in /lineage.
    const complete = events.findLast((e) => (e as Event).eventType === 'COMPLETE') as Event;
    complete.inputs.push({ namespace: 's3://elsewhere', name: 'extra' });
    const extra = await catalogWith(events);
    catalogs.push(extra);
    const diff = compareSnapshots(reference, await snap(extra), ['full', 'extra'], 10_000);
    expect(
      diff.some((d) => d.startsWith('.lineage.') && d.includes('only in extra') && d.includes('dataset:s3://elsewhere:extra>job:')),
    ).toBe(true);
    expect(diff.some((d) => d.startsWith('.namespaces') && d.includes('s3://elsewhere'))).toBe(true);
  });
});
