import { z } from 'zod';
import type { PipelineDefinition } from '../../lib/index.ts';

/** A small valid definition that tests copy and break one field at a time. */
export function validDefinition(): PipelineDefinition {
  return {
    name: 'orders',
    datasets: {
      raw: {
        bucket: 'orders-data',
        prefix: 'raw/orders',
        format: 'csv',
        schema: z.object({ order_id: z.string(), amount: z.number(), qty: z.int(), paid: z.boolean().nullable() }),
      },
      staged: {
        bucket: 'orders-data',
        prefix: 'staged/orders',
        format: 'parquet',
        tests: [
          { rule: 'notNull', column: 'order_id' },
          { rule: 'unique', columns: ['order_id'] },
          { rule: 'range', column: 'amount', min: 0 },
          { rule: 'rowCount', min: 1 },
        ],
      },
      rejected: { bucket: 'orders-data', prefix: 'rejected/orders', format: 'parquet' },
      published: { bucket: 'orders-data', prefix: 'published/orders', format: 'parquet' },
      quarantine: { bucket: 'orders-data', prefix: 'quarantine/orders', format: 'parquet' },
      features: { bucket: 'orders-data', prefix: 'features/orders', format: 'parquet' },
      scores: { bucket: 'orders-data', prefix: 'scores/orders', format: 'parquet' },
    },
    triggers: [{ kind: 'upload', dataset: 'raw' }],
    steps: [
      { name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' },
      { name: 'test', kind: 'dataTests', dataset: 'staged', publishTo: 'published', quarantineTo: 'quarantine' },
      {
        name: 'features',
        kind: 'featureBuild',
        inputs: { orders: 'published' },
        sql: 'SELECT order_id, amount, qty FROM orders',
        output: 'features',
      },
      {
        name: 'score',
        kind: 'batchScore',
        input: 'features',
        model: { bucket: 'orders-models', key: 'model.json' },
        entityKey: 'order_id',
        output: 'scores',
      },
    ],
  };
}

/**
 * Two sources in one pipeline: JSON Lines orders checked against a customers snapshot (CSV) uploaded to the same
 * pipeline, a feature step joining both, scoring, and a nightly schedule starting at the features.
 */
export function twoSourceDefinition(): PipelineDefinition {
  const bucket = 'shop-data';
  return {
    name: 'shop',
    datasets: {
      raw_customers: {
        bucket,
        prefix: 'raw/customers',
        format: 'csv',
        semantics: 'snapshot',
        schema: z.object({ customer_id: z.string(), segment: z.enum(['retail', 'business']), since: z.iso.date() }),
      },
      staged_customers: { bucket, prefix: 'staged/customers', format: 'parquet', tests: [{ rule: 'unique', columns: ['customer_id'] }] },
      rejected_customers: { bucket, prefix: 'rejected/customers', format: 'parquet' },
      customers: { bucket, prefix: 'published/customers', format: 'parquet' },
      quarantined_customers: { bucket, prefix: 'quarantine/customers', format: 'parquet' },
      raw_orders: {
        bucket,
        prefix: 'raw/orders',
        format: 'jsonl',
        schema: z.object({ order_id: z.string(), customer_id: z.string(), amount: z.number(), ordered_at: z.iso.datetime() }),
      },
      staged_orders: {
        bucket,
        prefix: 'staged/orders',
        format: 'parquet',
        tests: [
          { rule: 'unique', columns: ['order_id'] },
          { rule: 'referential', column: 'customer_id', dataset: 'customers' },
        ],
      },
      rejected_orders: { bucket, prefix: 'rejected/orders', format: 'parquet' },
      orders: { bucket, prefix: 'published/orders', format: 'parquet' },
      quarantined_orders: { bucket, prefix: 'quarantine/orders', format: 'parquet' },
      features: { bucket, prefix: 'features/customers', format: 'parquet', semantics: 'snapshot' },
      scores: { bucket, prefix: 'scores/customers', format: 'parquet' },
    },
    triggers: [
      { kind: 'upload', dataset: 'raw_customers' },
      { kind: 'upload', dataset: 'raw_orders' },
      { kind: 'schedule', name: 'nightly', cron: 'cron(0 6 * * ? *)', startAt: 'features' },
    ],
    steps: [
      { name: 'ingest_customers', kind: 'ingest', input: 'raw_customers', output: 'staged_customers', rejects: 'rejected_customers' },
      {
        name: 'test_customers',
        kind: 'dataTests',
        dataset: 'staged_customers',
        publishTo: 'customers',
        quarantineTo: 'quarantined_customers',
      },
      { name: 'ingest_orders', kind: 'ingest', input: 'raw_orders', output: 'staged_orders', rejects: 'rejected_orders' },
      { name: 'test_orders', kind: 'dataTests', dataset: 'staged_orders', publishTo: 'orders', quarantineTo: 'quarantined_orders' },
      {
        name: 'features',
        kind: 'featureBuild',
        inputs: { c: 'customers', o: 'orders' },
        sql: `SELECT c.customer_id, count(o.order_id) AS orders, coalesce(sum(o.amount), 0) AS spend,
                CASE WHEN c.segment = 'business' THEN 1 ELSE 0 END AS is_business
              FROM c LEFT JOIN o USING (customer_id) GROUP BY ALL`,
        output: 'features',
      },
      {
        name: 'score',
        kind: 'batchScore',
        input: 'features',
        entityKey: 'customer_id',
        model: { bucket: 'shop-models', key: 'model.json', source: 'model.json' },
        output: 'scores',
      },
    ],
  };
}
