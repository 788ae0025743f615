import { z } from 'zod';
import { definePipeline } from 'sluice';

const bucket = 'churn-data';

/** Customer churn: ingest a customer extract, test it, build features and score churn risk. */
export default definePipeline({
  name: 'churn',
  description: 'Scores churn risk for every customer in a daily extract',
  datasets: {
    raw: {
      bucket,
      prefix: 'raw/customers',
      format: 'csv',
      schema: z.object({
        customer_id: z.string(),
        signup_date: z.iso.date(),
        plan: z.enum(['basic', 'standard', 'premium']),
        monthly_charges: z.number(),
        tenure_months: z.int(),
        support_tickets: z.int(),
        last_login: z.iso.datetime(),
        auto_renew: z.boolean(),
      }),
    },
    staged: {
      bucket,
      prefix: 'staged/customers',
      format: 'parquet',
      tests: [
        { rule: 'notNull', column: 'customer_id' },
        { rule: 'unique', columns: ['customer_id'] },
        { rule: 'range', column: 'monthly_charges', min: 0, max: 1000 },
        { rule: 'range', column: 'tenure_months', min: 0, max: 600 },
        { rule: 'range', column: 'support_tickets', max: 40, severity: 'warn' },
        { rule: 'rowCount', min: 100 },
      ],
    },
    rejected: { bucket, prefix: 'rejected/customers', format: 'parquet' },
    // Every published extract is part of the table; the features aggregate each customer over all of them.
    published: { bucket, prefix: 'published/customers', format: 'parquet', semantics: 'append' },
    quarantine: { bucket, prefix: 'quarantine/customers', format: 'parquet' },
    // A feature table: one row per customer and feature_time, kept over every build. Scoring reads each customer's
    // latest row as of the run's time, and `sluice training-set` joins past labels to the values known back then.
    features: {
      bucket,
      prefix: 'features/churn',
      format: 'parquet',
      featureTable: { key: 'customer_id', eventTime: 'feature_time', maxAge: '7d' },
    },
    predictions: { bucket, prefix: 'predictions/churn', format: 'parquet' },
  },
  triggers: [
    { kind: 'upload', dataset: 'raw' },
    // Nightly rescoring of every published customer, e.g. after a model update.
    { kind: 'schedule', name: 'nightly', cron: 'cron(0 6 * * ? *)', startAt: 'features' },
  ],
  steps: [
    { name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' },
    { name: 'test', kind: 'dataTests', dataset: 'staged', publishTo: 'published', quarantineTo: 'quarantine' },
    {
      name: 'features',
      kind: 'featureBuild',
      inputs: { customers: 'published' },
      output: 'features',
      // One row per customer over every published extract, stamped with the run's nominal time. Sluice derives
      // each column's lineage from this SQL (DuckDB's parser) and binds $nominal_time as a typed parameter. The latest
      // login is a scalar subquery, computed once; a window over all rows (max(...) OVER ()) would run on one thread.
      sql: `
        SELECT
          customer_id,
          $nominal_time AS feature_time,
          max(tenure_months) AS tenure_months,
          avg(monthly_charges) AS monthly_charges,
          max(tenure_months) * avg(monthly_charges) AS lifetime_value,
          sum(support_tickets) / greatest(max(tenure_months), 1) AS tickets_per_month,
          max(CASE WHEN plan = 'basic' THEN 1 ELSE 0 END) AS is_basic,
          max(CAST(auto_renew AS INTEGER)) AS auto_renew,
          date_diff('day', max(last_login), (SELECT max(last_login) FROM customers)) AS days_since_login
        FROM customers
        GROUP BY customer_id`,
    },
    {
      name: 'score',
      kind: 'batchScore',
      input: 'features',
      // XGBoost's own JSON (save_model), trained by train-model.py; its S3 version tags every prediction.
      model: { bucket: 'churn-models', key: 'churn/xgboost/model.json', source: 'model.json' },
      entityKey: 'customer_id',
      output: 'predictions',
    },
  ],
});
