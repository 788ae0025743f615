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
