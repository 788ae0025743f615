// The differential test against Marquez (test/integration/marquez) relies on this comparison; here it is shown to
// find real differences, field by field, between two embedded catalogs fed slightly different streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateGraphEvents } from '../../../bench/catalog/graph-events.ts';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { compareServers } from '../../integration/marquez/compare-catalogs.ts';
import type { CompareOptions } from '../../integration/marquez/compare-catalogs.ts';
import { post } from './churn-events.ts';

const graph = generateGraphEvents({
  pipelines: 2,
  jobsPerPipeline: 5,
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

const options = (events: Record<string, unknown>[]): CompareOptions => ({
  lineageDepths: [1, 20],
  columnDepths: [2],
  searches: ['step'],
  eventWindows: [{ after: '2026-01-01T00:00:00.000Z', before: '2026-02-01T00:00:00.000Z' }],
  events,
});

describe('compareServers over two catalogs, field by field', () => {
  const catalogs: CatalogServer[] = [];
  let reference: CatalogServer;

  beforeAll(async () => {
    reference = await catalogWith(graph.events);
    catalogs.push(reference);
  }, 60_000);
  afterAll(async () => {
    for (const c of catalogs) await c.close();
  });

  it('finds nothing when both got the same stream', async () => {
    const same = await catalogWith(graph.events);
    catalogs.push(same);
    const result = await compareServers(reference.url, same.url, options(graph.events));
    expect(result.compared).toBeGreaterThan(100);
    expect(result.differences).toEqual([]);
  });

  it('finds a run whose terminal event is missing, in the run and in the lists that show it', async () => {
    const last = graph.events.findLastIndex((e) => (e as Event).eventType === 'COMPLETE');
    const name = (graph.events[last] as Event).job.name;
    const missing = await catalogWith(graph.events.filter((_, i) => i !== last));
    catalogs.push(missing);
    const { differences } = await compareServers(reference.url, missing.url, options(graph.events));
    const about = differences.filter((d) => d.includes(name));
    expect(about.some((d) => d.includes('.state: Marquez "COMPLETED" ≠ catalog "RUNNING"'))).toBe(true);
    expect(about.some((d) => d.startsWith('GET jobs?') && d.includes('endedAt'))).toBe(true);
  });

  it('finds an edge, a namespace and a field one has and the other has not', async () => {
    const events = structuredClone(graph.events);
    // The last run of a job: its IO is the job's current version, so the edge shows in /lineage.
    const complete = events.findLast((e) => (e as Event).eventType === 'COMPLETE') as Event;
    complete.inputs.push({ namespace: 's3://elsewhere', name: 'extra' });
    const extra = await catalogWith(events);
    catalogs.push(extra);
    const { differences } = await compareServers(reference.url, extra.url, options(graph.events));
    expect(
      differences.some(
        (d) => d.startsWith('GET lineage?') && d.includes('only in the catalog') && d.includes('dataset:s3://elsewhere:extra'),
      ),
    ).toBe(true);
    expect(differences.some((d) => d.startsWith('GET namespaces ') && d.includes('s3://elsewhere'))).toBe(true);
    expect(differences.some((d) => d.includes(`${complete.job.name}`) && d.includes('.inputs'))).toBe(true);
  });
});
