import { z } from 'zod';
import { definePipeline } from 'sluice';

const bucket = 'orders-data';

/** Late-delivery risk: ingest an order extract, test it, build features and score every order with a small model. */
export default definePipeline({
  name: 'orders',
  description: 'Scores the risk that each order in an extract is delivered late',
  datasets: {
    raw: {
      bucket,
      prefix: 'raw/orders',
      format: 'csv',
      schema: z.object({
        order_id: z.string(),
        customer_id: z.string(),
        ordered_at: z.iso.datetime(),
        region: z.enum(['north', 'south', 'east', 'west']),
        amount: z.number(),
        items: z.int(),
        express: z.boolean(),
      }),
    },
    staged: {
      bucket,
      prefix: 'staged/orders',
      format: 'parquet',
      tests: [
        { rule: 'notNull', column: 'order_id' },
        { rule: 'unique', columns: ['order_id'] },
        { rule: 'range', column: 'amount', min: 0, max: 10000 },
        { rule: 'range', column: 'items', min: 1, max: 100 },
        { rule: 'rowCount', min: 5 },
      ],
    },
    rejected: { bucket, prefix: 'rejected/orders', format: 'parquet' },
    published: { bucket, prefix: 'published/orders', format: 'parquet' },
    quarantine: { bucket, prefix: 'quarantine/orders', format: 'parquet' },
    features: { bucket, prefix: 'features/orders', format: 'parquet' },
    predictions: { bucket, prefix: 'predictions/orders', format: 'parquet' },
  },
  triggers: [
    { kind: 'upload', dataset: 'raw' },
    // Rescore everything published each morning, e.g. after a new model is uploaded.
    { kind: 'schedule', name: 'daily', cron: 'cron(0 6 * * ? *)', startAt: 'features' },
  ],
  steps: [
    { name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' },
    { name: 'test', kind: 'dataTests', dataset: 'staged', publishTo: 'published', quarantineTo: 'quarantine' },
    {
      name: 'features',
      kind: 'featureBuild',
      inputs: { orders: 'published' },
      output: 'features',
      sql: `
        SELECT
          order_id,
          $nominal_time AS feature_time,
          amount,
          items,
          CAST(express AS INTEGER) AS express,
          CASE WHEN region IN ('north', 'west') THEN 1 ELSE 0 END AS remote_region
        FROM orders`,
    },
    {
      name: 'score',
      kind: 'batchScore',
      input: 'features',
      entityKey: 'order_id',
      output: 'predictions',
      // A logistic regression over the features; local runs upload `source`, on AWS you upload it to bucket/key.
      model: { bucket: 'orders-models', key: 'late-delivery/logistic/model.json', source: '../models/late-delivery.json' },
    },
  ],
});
