// The dashboard's charts (`/stats/*`) in Marquez's shapes, over events placed relative to now.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { getJson, post } from './churn-events.ts';

const HOUR = 3_600_000;
const now = Date.now();
// Whole hours before now, at minute 1 of the hour, so an event never sits on a bucket's edge.
const hoursAgo = (h: number) => new Date(Math.floor(now / HOUR) * HOUR - h * HOUR + 60_000).toISOString();
const event = (eventType: string | undefined, time: string, job: string, extra: Record<string, unknown> = {}) => ({
  ...(eventType ? { eventType } : {}),
  eventTime: time,
  producer: 'https://example.com/p',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  run: { runId: crypto.randomUUID() },
  job: { namespace: 'stats', name: job },
  ...extra,
});
const source = (name: string) => ({ dataSource: { _producer: 'p', _schemaURL: 's', name, uri: name } });

describe('the dashboard stats', () => {
  let catalog: CatalogServer;
  beforeAll(async () => {
    catalog = await startCatalogServer({ port: 0 });
    const events = [
      event('START', hoursAgo(30), 'old', { outputs: [{ namespace: 'w', name: 'old_table', facets: source('warehouse') }] }),
      event('START', hoursAgo(5), 'a', { inputs: [{ namespace: 'w', name: 'old_table' }] }),
      event('COMPLETE', hoursAgo(5), 'a'),
      event('FAIL', hoursAgo(2), 'b', { outputs: [{ namespace: 'w', name: 'b_out', facets: source('lake') }] }),
      event('ABORT', hoursAgo(0), 'c'),
      event('OTHER', hoursAgo(0), 'c'),
      event(undefined, hoursAgo(0), 'c'),
    ];
    for (const e of events) expect((await post(catalog.url, e)).status).toBe(201);
  });
  afterAll(async () => {
    await catalog?.close();
  });

  it('counts run events by type in the last 24 UTC hours, oldest first, in 24 buckets', async () => {
    const { status, body } = await getJson(catalog.url, 'stats/lineage-events?period=DAY&timezone=Europe/Berlin');
    expect(status).toBe(200);
    expect(body).toHaveLength(24);
    expect(Object.keys(body[0])).toEqual(['startInterval', 'endInterval', 'fail', 'start', 'complete', 'abort']);
    const last = body[23];
    expect(Date.parse(last.endInterval) - Date.parse(last.startInterval)).toBe(HOUR);
    expect(last.startInterval).toMatch(/T\d\d:00:00Z$/);
    // Buckets are found from the answer's own hours, so an hour turning during the test changes nothing.
    const at = (time: string) =>
      body.find((b: { startInterval: string }) => Date.parse(b.startInterval) === Math.floor(Date.parse(time) / HOUR) * HOUR);
    expect(at(hoursAgo(0))).toMatchObject({ abort: 1, start: 0, fail: 0, complete: 0 }); // OTHER and untyped events are not counted
    expect(at(hoursAgo(5))).toMatchObject({ start: 1, complete: 1 });
    expect(at(hoursAgo(2))).toMatchObject({ fail: 1 });
    const total = body.reduce((n: number, b: Record<string, number>) => n + b['start']! + b['complete']! + b['fail']! + b['abort']!, 0);
    expect(total).toBe(4); // the event 30 hours ago is outside the day
  });

  it('counts the last 7 days in a time zone, each labelled with its local midnight written as UTC', async () => {
    const { body } = await getJson(catalog.url, 'stats/lineage-events?period=WEEK&timezone=Asia/Kolkata');
    expect(body).toHaveLength(7);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata' }).format(Date.now());
    expect(body[6].startInterval).toBe(`${today}T00:00:00Z`);
    expect(body[0].endInterval).toBe(body[1].startInterval);
    const total = body.reduce((n: number, b: Record<string, number>) => n + b['start']! + b['complete']! + b['fail']! + b['abort']!, 0);
    expect(total).toBe(5);
  });

  it('gives running totals of jobs, datasets and sources made by each bucket, deleted ones included', async () => {
    expect((await fetch(`${catalog.url}/api/v1/namespaces/stats/jobs/b`, { method: 'DELETE' })).status).toBe(200);
    const jobs = (await getJson(catalog.url, 'stats/jobs?period=DAY')).body;
    expect(Object.keys(jobs[0])).toEqual(['startInterval', 'endInterval', 'count']);
    expect(jobs[0].count).toBe(1); // `old`, made 30 hours ago
    expect(jobs[23].count).toBe(4);
    const datasets = (await getJson(catalog.url, 'stats/datasets?period=WEEK&timezone=UTC')).body;
    expect(datasets.map((b: { count: number }) => b.count).at(-1)).toBe(2);
    // `default` is the source of a dataset named without a dataSource facet (old_table, read by `a`).
    const sources = (await getJson(catalog.url, 'stats/sources?period=DAY')).body;
    expect(sources[23].count).toBe(3);
  });

  it.each([
    ['stats/lineage-events', 400, /period: required/],
    ['stats/lineage-events?period=MONTH', 400, /period: expected DAY or WEEK, got "MONTH"/],
    ['stats/jobs?period=WEEK', 400, /timezone: required for period WEEK/],
    ['stats/lineage-events?period=WEEK&timezone=Not/AZone', 400, /timezone: expected an IANA time zone/],
    ['stats/nope?period=DAY', 404, /no route/],
  ])('answers %s with %i', async (path, status, message) => {
    const answer = await getJson(catalog.url, path);
    expect(answer.status).toBe(status);
    expect(answer.body.message).toMatch(message);
  });

  it('reads the period in any case and with spaces, and a + the browser left unencoded', async () => {
    expect((await getJson(catalog.url, 'stats/jobs?period=%20week%20&timezone=Etc/GMT+3')).status).toBe(200);
    expect((await getJson(catalog.url, 'stats/jobs?period=day')).body).toHaveLength(24);
  });
});
