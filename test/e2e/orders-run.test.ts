import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocal, type RunReport } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { generateCustomers, generateOrders } from '../../examples/orders/generate-data.ts';
import orders from '../../examples/orders/pipeline.ts';
import { validateOpenLineageEvent } from '../support/openlineage-validator.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';
import { startCatalogServer } from '../../lineage/catalog/index.ts';
import { formatTrace, traceNode } from '../../lineage/trace/index.ts';
import { post } from '../lineage/catalog/churn-events.ts';

const exampleDir = join(import.meta.dirname, '..', '..', 'examples', 'orders');
const STEPS = ['ingest_customers', 'test_customers', 'ingest_orders', 'test_orders', 'features', 'score'];
const CUSTOMERS = 300;
const ORDERS = 3000;

describe('the orders example: two upload sources, a referential rule between them and a feature join', () => {
  let dir: string;
  let eventsFile: string;
  const runs: Record<string, RunReport> = {};
  const features: Record<string, Array<Record<string, unknown>>> = {};
  let publishedCustomers: string[] = [];
  let publishedOrdersBeforeBad: string[] = [];
  let publishedOrdersAfterBad: string[] = [];

  const stateDir = (): string => join(dir, 'state');
  const upload = (input: string, dataset: 'raw_customers' | 'raw_orders') =>
    runLocal(orders, {
      stateDir: stateDir(),
      input,
      dataset,
      baseDir: exampleDir,
      env: {
        OPENLINEAGE__TRANSPORT__TYPE: 'file',
        OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: eventsFile,
        OPENLINEAGE__TRANSPORT__APPEND: 'true',
      },
    });
  const stored = <T>(inspect: Parameters<typeof withStoredObjects<T>>[2]) =>
    withStoredObjects(join(stateDir(), 's3'), ['shop-data', 'shop-models'], inspect);
  const keys = (prefix: string) => stored(async (s) => (await s.list('shop-data', prefix)).map((o) => `${o.key}@${o.etag}`));
  const featuresOf = async (report: RunReport) => {
    const out = report.steps[4]!.result!.outputs[0]!;
    return stored(async (store) => {
      const file = join(dir, `${report.runId}.parquet`);
      await store.download(out.bucket, out.key, file);
      const db = await openDuckDb();
      try {
        return await db.all(`SELECT * FROM read_parquet('${file}') ORDER BY customer_id`);
      } finally {
        db.close();
      }
    });
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-orders-'));
    eventsFile = join(dir, 'events.jsonl');
    const file = (name: string) => join(dir, name);
    await generateCustomers(file('customers.csv'), { customers: CUSTOMERS });
    await copyFile(file('customers.csv'), file('customers-again.csv'));
    await generateCustomers(file('customers-changed.csv'), { customers: CUSTOMERS, changedSegments: 10 });
    await generateOrders(file('orders.jsonl'), { orders: ORDERS, customers: CUSTOMERS });
    await generateOrders(file('orders-unknown.jsonl'), { orders: 50, customers: CUSTOMERS, seed: 5, unknownCustomers: 3 });

    runs.customers = await upload(file('customers.csv'), 'raw_customers');
    runs.orders = await upload(file('orders.jsonl'), 'raw_orders');
    features.orders = await featuresOf(runs.orders);
    // The same snapshot twice more: under another key (a new batch) and under the first key (the same batch again).
    runs.again = await upload(file('customers-again.csv'), 'raw_customers');
    features.again = await featuresOf(runs.again);
    runs.same = await upload(file('customers.csv'), 'raw_customers');
    features.same = await featuresOf(runs.same);
    publishedCustomers = await keys('published/customers');
    publishedOrdersBeforeBad = await keys('published/orders');
    runs.unknown = await upload(file('orders-unknown.jsonl'), 'raw_orders');
    publishedOrdersAfterBad = await keys('published/orders');
    runs.changed = await upload(file('customers-changed.csv'), 'raw_customers');
    features.changed = await featuresOf(runs.changed);
    runs.nightly = await runLocal(orders, {
      stateDir: stateDir(),
      schedule: { name: 'nightly', nominalTime: '2026-11-30T05:00:00Z' },
      baseDir: exampleDir,
      env: {
        OPENLINEAGE__TRANSPORT__TYPE: 'file',
        OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: eventsFile,
        OPENLINEAGE__TRANSPORT__APPEND: 'true',
      },
    });
    features.nightly = await featuresOf(runs.nightly);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const eventsOf = async (report: RunReport) =>
    (await readEvents(eventsFile)).filter((e) => e.run.runId === report.runId || e.run.facets?.parent?.run?.runId === report.runId);

  it('runs only the steps each upload feeds: its ingest and tests, then the features and scores', () => {
    const statuses = (r: RunReport) => r.steps.map((s) => s.status);
    expect(statuses(runs.customers!)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SKIPPED', 'SKIPPED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(statuses(runs.orders!)).toEqual(['SKIPPED', 'SKIPPED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(statuses(runs.nightly!)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(runs.orders!.trigger).toMatchObject({ kind: 'upload', dataset: 'raw_orders', key: 'raw/orders/orders.jsonl' });
  });

  it('builds features for every customer of the snapshot, with no orders before any arrived', () => {
    expect(runs.customers!.steps[4]?.result).toMatchObject({ rowsIn: CUSTOMERS, rowsOut: CUSTOMERS });
    expect(runs.customers!.steps[5]?.result?.rowsOut).toBe(CUSTOMERS);
  });

  it('joins the orders with the published customers', () => {
    expect(features.orders).toHaveLength(CUSTOMERS);
    expect(features.orders!.reduce((n, r) => n + Number(r.order_count), 0)).toBe(ORDERS);
  });

  it('leaves the features identical when the same snapshot is uploaded twice more, under a new key and the old one', () => {
    expect(features.again).toEqual(features.orders);
    expect(features.same).toEqual(features.orders);
    const batches = publishedCustomers.filter((k) => k.startsWith('published/customers/_batches/'));
    expect(batches).toHaveLength(2);
  });

  it('records in lineage that the features read only the latest customer snapshot and every orders batch', async () => {
    const done = (await eventsOf(runs.again!)).find((e) => e.job.name === 'orders.features' && e.eventType === 'COMPLETE')!;
    const input = (name: string) => done.inputs.find((i: any) => i.name === name);
    const batchesOf = (name: string) => input(name).inputFacets.subset.inputCondition.partitions.map((p: any) => p.dimensions.batch);
    expect(batchesOf('published/customers')).toEqual([runs.again!.steps[0]!.result!.batchId]);
    expect(batchesOf('published/orders')).toEqual([runs.orders!.steps[2]!.result!.batchId]);
    expect(input('published/customers').inputFacets.inputStatistics.rowCount).toBe(CUSTOMERS);
    const published = (await eventsOf(runs.again!)).find((e) => e.job.name === 'orders.test_customers' && e.eventType === 'COMPLETE')!;
    expect(input('published/customers').facets.version.datasetVersion).toBe(published.outputs[0].facets.version.datasetVersion);
  });

  it('quarantines orders whose customers are not in the snapshot, leaving the published orders as they were', () => {
    expect(runs.unknown!.status).toBe('FAILED');
    expect(runs.unknown!.steps.map((s) => s.status)).toEqual(['SKIPPED', 'SKIPPED', 'SUCCEEDED', 'FAILED', 'NOT_RUN', 'NOT_RUN']);
    expect(runs.unknown!.error?.message).toMatch(
      /referential\(customer_id\): expected every value present in customers\.customer_id, got 3 missing values/,
    );
    expect(publishedOrdersAfterBad).toEqual(publishedOrdersBeforeBad);
  });

  it('takes a changed snapshot as the new customer table', () => {
    const business = (rows: Array<Record<string, unknown>>) => rows.filter((r) => r.is_business === 1).map((r) => r.customer_id);
    const flipped = features.changed!.filter((r, i) => r.is_business !== features.orders![i]!.is_business).map((r) => r.customer_id);
    expect(flipped).toEqual(Array.from({ length: 10 }, (_, i) => `C${String(i + 1).padStart(6, '0')}`));
    expect(business(features.changed!)).not.toEqual(business(features.orders!));
    expect(features.changed!.map((r) => r.order_count)).toEqual(features.orders!.map((r) => r.order_count));
  });

  it('rebuilds the same features from the published tables on the nightly schedule', () => {
    expect(runs.nightly!.status).toBe('SUCCEEDED');
    expect(features.nightly).toEqual(features.changed);
  });

  it('emits one pipeline run per execution and one job per step, and nothing for the steps it skips', async () => {
    const events = await eventsOf(runs.customers!);
    const jobs = [...new Set(events.map((e) => e.job.name))].sort();
    expect(jobs).toEqual(['orders', 'orders.features', 'orders.ingest_customers', 'orders.score', 'orders.test_customers']);
    for (const job of jobs) expect(events.filter((e) => e.job.name === job).map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    for (const e of events) expect([e.job.name, e.eventType, validateOpenLineageEvent(e)]).toEqual([e.job.name, e.eventType, []]);
    const all = await readEvents(eventsFile);
    const pipelineRuns = new Set(all.filter((e) => e.job.name === 'orders').map((e) => e.run.runId));
    expect(pipelineRuns.size).toBe(Object.keys(runs).length);
    expect(new Set(all.map((e) => e.job.name))).toEqual(new Set(['orders', ...STEPS.map((s) => `orders.${s}`)]));
  });

  it('lets a trace of the failed orders test tell which customer snapshot it checked against', async () => {
    const catalog = await startCatalogServer({ port: 0 });
    try {
      for (const event of await readEvents(eventsFile)) expect((await post(catalog.url, event)).status).toBe(201);
      const failed = (await eventsOf(runs.unknown!)).find((e) => e.job.name === 'orders.test_orders' && e.eventType === 'FAIL')!;
      const report = await traceNode(catalog.url, failed.run.runId);
      const read = report.upstream.find((s) => s.run.job.name === 'orders.test_orders')!.read;
      expect(read.find((v) => v.name === 'published/customers')?.subset).toBe(`batch=${runs.same!.steps[0]!.result!.batchId}`);
      expect(formatTrace(report)).toContain(`published/customers [batch=${runs.same!.steps[0]!.result!.batchId}]`);
    } finally {
      await catalog.close();
    }
  });
});
