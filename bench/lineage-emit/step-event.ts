import {
  columnLineageDatasetFacet,
  dataSourceDatasetFacet,
  inputStatisticsInputDatasetFacet,
  jobTypeJobFacet,
  nominalTimeRunFacet,
  outputStatisticsOutputDatasetFacet,
  parentRunFacet,
  processingEngineRunFacet,
  runEvent,
  schemaDatasetFacet,
  sourceCodeLocationJobFacet,
  uuidv7,
} from '../../lineage/index.ts';
import type { RunEvent } from '../../lineage/index.ts';

const FIELDS = ['customer_id', 'tenure_months', 'monthly_charges', 'total_charges', 'contract', 'churned'].map((name, i) => ({
  name,
  type: i === 4 ? 'VARCHAR' : i === 5 ? 'BOOLEAN' : 'DOUBLE',
}));
const NS = 's3://churn-data';

/**
 * A realistic COMPLETE of a step: 10 facet kinds (parent with root, processing_engine, nominalTime, jobType,
 * sourceCodeLocation, schema, dataSource, inputStatistics, columnLineage, outputStatistics), 2 inputs, 1 output.
 * bench/lineage-emit/emit.py builds the same event with openlineage-python's classes.
 */
export function stepEvent(parentRunId: string): RunEvent {
  const dataset = (name: string) => ({
    namespace: NS,
    name,
    facets: { schema: schemaDatasetFacet({ fields: FIELDS }), dataSource: dataSourceDatasetFacet({ name: NS, uri: NS }) },
  });
  return runEvent({
    eventType: 'COMPLETE',
    run: {
      runId: uuidv7(),
      facets: {
        parent: parentRunFacet({
          run: { runId: parentRunId },
          job: { namespace: 'sluice', name: 'churn' },
          root: { run: { runId: parentRunId }, job: { namespace: 'sluice', name: 'churn' } },
        }),
        processing_engine: processingEngineRunFacet({ name: 'nodejs', version: '24.21.0', openlineageAdapterVersion: '0.1.0' }),
        nominalTime: nominalTimeRunFacet({ nominalStartTime: '2026-11-23T06:00:00.000Z' }),
      },
    },
    job: {
      namespace: 'sluice',
      name: 'churn.features',
      facets: {
        jobType: jobTypeJobFacet({ processingType: 'BATCH', integration: 'SLUICE', jobType: 'TASK' }),
        sourceCodeLocation: sourceCodeLocationJobFacet({ type: 'git', url: 'https://example.com/acme/churn/blob/main/pipeline.ts' }),
      },
    },
    inputs: ['published/customers', 'published/usage'].map((name) => ({
      ...dataset(name),
      inputFacets: { inputStatistics: inputStatisticsInputDatasetFacet({ rowCount: 3000, size: 181_000, fileCount: 1 }) },
    })),
    outputs: [
      {
        ...dataset('features/churn'),
        facets: {
          ...dataset('features/churn').facets,
          columnLineage: columnLineageDatasetFacet({
            fields: Object.fromEntries(
              FIELDS.map((f) => [
                f.name,
                {
                  inputFields: [
                    {
                      namespace: NS,
                      name: 'published/customers',
                      field: f.name,
                      transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }],
                    },
                  ],
                },
              ]),
            ),
          }),
        },
        outputFacets: { outputStatistics: outputStatisticsOutputDatasetFacet({ rowCount: 3000, size: 120_000, fileCount: 1 }) },
      },
    ],
  });
}
