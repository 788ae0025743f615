import { facets, runEvent, uuidv7 } from '../../lineage/index.ts';
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
    facets: { schema: facets.schemaDatasetFacet({ fields: FIELDS }), dataSource: facets.dataSourceDatasetFacet({ name: NS, uri: NS }) },
  });
  return runEvent({
    eventType: 'COMPLETE',
    run: {
      runId: uuidv7(),
      facets: {
        parent: facets.parentRunFacet({
          run: { runId: parentRunId },
          job: { namespace: 'sluice', name: 'churn' },
          root: { run: { runId: parentRunId }, job: { namespace: 'sluice', name: 'churn' } },
        }),
        processing_engine: facets.processingEngineRunFacet({ name: 'nodejs', version: '24.21.0', openlineageAdapterVersion: '0.1.0' }),
        nominalTime: facets.nominalTimeRunFacet({ nominalStartTime: '2026-11-23T06:00:00.000Z' }),
      },
    },
    job: {
      namespace: 'sluice',
      name: 'churn.features',
      facets: {
        jobType: facets.jobTypeJobFacet({ processingType: 'BATCH', integration: 'SLUICE', jobType: 'TASK' }),
        sourceCodeLocation: facets.sourceCodeLocationJobFacet({ type: 'git', url: 'https://example.com/acme/churn/blob/main/pipeline.ts' }),
      },
    },
    inputs: ['published/customers', 'published/usage'].map((name) => ({
      ...dataset(name),
      inputFacets: { inputStatistics: facets.inputStatisticsInputDatasetFacet({ rowCount: 3000, size: 181_000, fileCount: 1 }) },
    })),
    outputs: [
      {
        ...dataset('features/churn'),
        facets: {
          ...dataset('features/churn').facets,
          columnLineage: facets.columnLineageDatasetFacet({
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
        outputFacets: { outputStatistics: facets.outputStatisticsOutputDatasetFacet({ rowCount: 3000, size: 120_000, fileCount: 1 }) },
      },
    ],
  });
}
