import { parsePipelineSpec } from '../../lib/index.ts';
import churn from '../../examples/churn/pipeline.ts';

/** The churn example's ingest with 12 rules on the staged batch: the rule set both contenders evaluate. */
// A compiled spec (not a definition), so the example's typed raw dataset is reused as it is.
export default parsePipelineSpec({
  name: 'bench-data-tests',
  namespace: 'sluice',
  datasets: {
    raw: { ...churn.datasets.raw!, bucket: 'bench-data' },
    staged: {
      bucket: 'bench-data',
      prefix: 'staged/customers',
      format: 'parquet',
      tests: [
        { rule: 'notNull', column: 'customer_id' },
        { rule: 'unique', columns: ['customer_id'] },
        { rule: 'acceptedValues', column: 'plan', values: ['basic', 'standard', 'premium'] },
        { rule: 'range', column: 'monthly_charges', min: 0, max: 1000 },
        { rule: 'range', column: 'tenure_months', min: 0, max: 600 },
        { rule: 'pattern', column: 'customer_id', regex: 'C[0-9]{7}' },
        { rule: 'length', column: 'customer_id', min: 8, max: 8 },
        { rule: 'rowCount', min: 1000 },
        { rule: 'nullFraction', column: 'last_login', max: 0.01 },
        { rule: 'mean', column: 'monthly_charges', min: 20, max: 120 },
        { rule: 'stddev', column: 'tenure_months', min: 0, max: 50 },
        { rule: 'sum', column: 'support_tickets', min: 0 },
      ],
    },
    rejected: { bucket: 'bench-data', prefix: 'rejected/customers', format: 'parquet' },
    published: { bucket: 'bench-data', prefix: 'published/customers', format: 'parquet' },
    quarantine: { bucket: 'bench-data', prefix: 'quarantine/customers', format: 'parquet' },
  },
  triggers: [{ kind: 'upload', dataset: 'raw' }],
  steps: [
    { name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' },
    { name: 'test', kind: 'dataTests', dataset: 'staged', publishTo: 'published', quarantineTo: 'quarantine' },
  ],
});
