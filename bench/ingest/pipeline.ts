import { parsePipelineSpec } from '../../lib/index.ts';
import churn from '../../examples/churn/pipeline.ts';

/** The churn example's ingest alone: its raw extract typed into staged Parquet, with rejects. */
// A compiled spec (not a definition), so the example's typed raw dataset is reused as it is.
export default parsePipelineSpec({
  name: 'bench-ingest',
  namespace: 'sluice',
  datasets: {
    raw: { ...churn.datasets.raw!, bucket: 'bench-ingest' },
    staged: { bucket: 'bench-ingest', prefix: 'staged/customers', format: 'parquet' },
    rejected: { bucket: 'bench-ingest', prefix: 'rejected/customers', format: 'parquet' },
  },
  triggers: [{ kind: 'upload', dataset: 'raw' }],
  steps: [{ name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' }],
});
