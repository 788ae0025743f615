import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { churnEventStream, getJson, post } from './churn-events.ts';

// Values of the wrong type, sizes and shapes, put at every path of real events.
const HOSTILE: unknown[] = [
  null,
  0,
  -1,
  1e308,
  true,
  '',
  ' ',
  'x'.repeat(2000),
  "'; DROP TABLE runs; --",
  '\u0000',
  [],
  [null],
  {},
  { a: { b: [] } },
];

function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function mutate(event: unknown, path: string[], replacement: unknown): unknown {
  const copy = structuredClone(event) as Record<string, unknown>;
  if (path.length === 0) return replacement;
  let node = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path.at(-1)!] = replacement;
  return copy;
}

describe('the catalog fed real events with one field replaced by a hostile value', () => {
  let catalog: CatalogServer;
  let events: Record<string, unknown>[];
  beforeAll(async () => {
    events = (await churnEventStream(200)).events;
    catalog = await startCatalogServer({ port: 0 });
  }, 60_000);
  afterAll(async () => {
    await catalog?.close();
  });

  it('answers every mutation with 201, 400 or 422, never a 500, and keeps serving', async () => {
    const statuses = new Map<number, number>();
    // The failed data-test event has the richest facets; the step START has the parent facet.
    for (const event of [events[14]!, events[1]!]) {
      const all = paths(event);
      for (let i = 0; i < all.length; i += 1) {
        const value = HOSTILE[i % HOSTILE.length];
        const res = await post(catalog.url, mutate(event, all[i]!, value));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (![201, 400, 422].includes(res.status))
          throw new Error(`${res.status} for ${all[i]!.join('.')} = ${JSON.stringify(value)?.slice(0, 40)}: ${await res.text()}`);
      }
    }
    expect(statuses.get(201)).toBeGreaterThan(0);
    expect((statuses.get(400) ?? 0) + (statuses.get(422) ?? 0)).toBeGreaterThan(0);
    expect((await getJson(catalog.url, 'jobs')).status).toBe(200);
    expect((await getJson(catalog.url, `lineage?nodeId=${encodeURIComponent('job:sluice:churn.test')}`)).status).toBe(200);
  });
});
