import { randomUUID } from 'node:crypto';

/** One OpenLineage run event, as JSON. */
type Event = Record<string, unknown>;

const PRODUCER = 'https://example.com/wide-lineage-test';
const SCHEMA = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const NS = 's3://wide-data';

const dataset = (name: string, extra: Record<string, unknown> = {}) => ({
  namespace: NS,
  name,
  facets: {
    schema: {
      _producer: PRODUCER,
      _schemaURL: 'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
      fields: [
        { name: 'id', type: 'VARCHAR' },
        { name: 'amount', type: 'DOUBLE' },
      ],
    },
  },
  ...extra,
});

const assertions = (outcome: 'pass' | 'warn' | 'fail') => ({
  dataQualityAssertions: {
    _producer: PRODUCER,
    _schemaURL: 'https://openlineage.io/spec/facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet',
    assertions: [
      { assertion: 'not_null', name: 'notNull(id)', column: 'id', success: true, severity: 'error' },
      { assertion: 'unique', name: 'unique(id)', column: 'id', success: outcome !== 'fail', severity: 'error' },
      { assertion: 'accepted_range', name: 'range(amount)', column: 'amount', success: outcome !== 'warn', severity: 'warn' },
    ],
  },
});

const batch = (rows: number) => ({
  outputStatistics: {
    _producer: PRODUCER,
    _schemaURL:
      'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet',
    rowCount: rows,
  },
});

function run(job: string, inputs: unknown[], outputs: unknown[], state: 'COMPLETE' | 'FAIL', at: number): Event[] {
  const runId = randomUUID();
  const base = { producer: PRODUCER, schemaURL: SCHEMA, job: { namespace: 'wide', name: job }, inputs, outputs };
  return [
    { ...base, eventType: 'START', eventTime: new Date(at).toISOString(), run: { runId } },
    {
      ...base,
      eventType: state,
      eventTime: new Date(at + 1500).toISOString(),
      run: {
        runId,
        facets:
          state === 'FAIL'
            ? {
                errorMessage: {
                  _producer: PRODUCER,
                  _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
                  message: `data tests failed on ${job}`,
                  programmingLanguage: 'typescript',
                },
              }
            : {},
      },
    },
  ];
}

/**
 * Events for a wide graph of `pipelines` pipelines, each ingest → test → features → score over its own datasets (ten
 * nodes per pipeline), chained (features of one read the published data of the one before) and sharing a reference
 * dataset and a model. Every seventh pipeline's data tests fail (its batch is quarantined), every fifth only warns.
 */
export function wideLineageEvents(pipelines = 30): Event[] {
  const events: Event[] = [];
  let at = Date.parse('2026-01-05T06:00:00Z');
  for (let i = 0; i < pipelines; i += 1) {
    const p = `p${String(i).padStart(2, '0')}`;
    const outcome = i % 7 === 3 ? 'fail' : i % 5 === 2 ? 'warn' : 'pass';
    at += 10_000;
    events.push(...run(`${p}.ingest`, [dataset(`raw/${p}`)], [dataset(`staged/${p}`, { outputFacets: batch(1000) })], 'COMPLETE', at));
    events.push(
      ...run(
        `${p}.test`,
        [dataset(`staged/${p}`, { inputFacets: assertions(outcome) })],
        [
          dataset(`published/${p}`, outcome === 'fail' ? {} : { outputFacets: batch(1000) }),
          dataset(`quarantine/${p}`, outcome === 'fail' ? { outputFacets: batch(1000) } : {}),
        ],
        outcome === 'fail' ? 'FAIL' : 'COMPLETE',
        at + 2000,
      ),
    );
    const upstream = i > 0 ? [dataset(`published/p${String(i - 1).padStart(2, '0')}`)] : [];
    events.push(
      ...run(
        `${p}.features`,
        [dataset(`published/${p}`), dataset('reference/regions'), ...upstream],
        [dataset(`features/${p}`)],
        'COMPLETE',
        at + 4000,
      ),
    );
    events.push(
      ...run(`${p}.score`, [dataset(`features/${p}`), dataset('models/shared')], [dataset(`predictions/${p}`)], 'COMPLETE', at + 6000),
    );
  }
  return events;
}
