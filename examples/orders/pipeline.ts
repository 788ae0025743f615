import { z } from 'zod';
import { definePipeline } from 'sluice';

const bucket = 'shop-data';

/**
 * Orders and customers from two sources in one pipeline: JSON Lines orders are checked against the customers
 * snapshot (a CSV re-uploaded in full), features join both, and a logistic model scores each customer.
 */
export default definePipeline({
  name: 'orders',
  description: 'Scores repeat-purchase propensity per customer from orders and the customer snapshot',
  datasets: {
    // Each upload is the whole customer table: the latest published snapshot replaces the earlier ones.
    raw_customers: {
      bucket,
      prefix: 'raw/customers',
      format: 'csv',
      semantics: 'snapshot',
      schema: z.object({
        customer_id: z.string(),
        segment: z.enum(['retail', 'business']),
        country: z.string(),
        signup_date: z.iso.date(),
      }),
    },
    staged_customers: {
      bucket,
      prefix: 'staged/customers',
      format: 'parquet',
      tests: [
        { rule: 'notNull', column: 'customer_id' },
        { rule: 'unique', columns: ['customer_id'] },
        { rule: 'rowCount', min: 1 },
      ],
    },
    rejected_customers: { bucket, prefix: 'rejected/customers', format: 'parquet' },
    customers: { bucket, prefix: 'published/customers', format: 'parquet' },
    quarantined_customers: { bucket, prefix: 'quarantine/customers', format: 'parquet' },
    // Each upload adds orders: every published batch is part of the table.
    raw_orders: {
      bucket,
      prefix: 'raw/orders',
      format: 'jsonl',
      semantics: 'append',
      schema: z.object({
        order_id: z.string(),
        customer_id: z.string(),
        amount: z.number(),
        channel: z.enum(['web', 'store', 'phone']),
        ordered_at: z.iso.datetime(),
      }),
    },
    staged_orders: {
      bucket,
      prefix: 'staged/orders',
      format: 'parquet',
      tests: [
        { rule: 'unique', columns: ['order_id'] },
        { rule: 'range', column: 'amount', min: 0 },
        // Every order's customer must be in the published customer snapshot.
        { rule: 'referential', column: 'customer_id', dataset: 'customers' },
      ],
    },
    rejected_orders: { bucket, prefix: 'rejected/orders', format: 'parquet' },
    orders: { bucket, prefix: 'published/orders', format: 'parquet' },
    quarantined_orders: { bucket, prefix: 'quarantine/orders', format: 'parquet' },
    // Every build recomputes all customers' features, so the latest build is the feature table.
    features: { bucket, prefix: 'features/customers', format: 'parquet', semantics: 'snapshot' },
    predictions: { bucket, prefix: 'predictions/customers', format: 'parquet' },
  },
  triggers: [
    { kind: 'upload', dataset: 'raw_customers' },
    { kind: 'upload', dataset: 'raw_orders' },
    { kind: 'schedule', name: 'nightly', cron: 'cron(0 5 * * ? *)', startAt: 'features' },
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
      output: 'features',
      // One row per customer of the latest snapshot, with their orders over every published batch. Recency is
      // measured from the newest order in the table, so the same data always gives the same features.
      sql: `
        SELECT
          c.customer_id,
          count(o.order_id) AS order_count,
          coalesce(sum(o.amount), 0) AS total_spend,
          coalesce(avg(o.amount), 0) AS avg_order,
          coalesce(date_diff('day', max(o.ordered_at), max(max(o.ordered_at)) OVER ()), 365) AS days_since_last_order,
          CASE WHEN c.segment = 'business' THEN 1 ELSE 0 END AS is_business
        FROM c LEFT JOIN o ON o.customer_id = c.customer_id
        GROUP BY c.customer_id, c.segment`,
    },
    {
      name: 'score',
      kind: 'batchScore',
      input: 'features',
      entityKey: 'customer_id',
      // Sluice's logistic-regression JSON (docs/scoring.md), shipped beside this file and uploaded by local runs.
      model: { bucket: 'shop-models', key: 'orders/repeat-purchase.json', source: 'model.json' },
      output: 'predictions',
    },
  ],
});
