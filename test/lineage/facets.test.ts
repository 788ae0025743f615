import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_VERSION, PRODUCER, runEvent, uuidv7 } from '../../lineage/index.ts';
import { STANDARD_FACET_SCHEMAS, facetSchemaUrl } from '../../lineage/client/facet-base.ts';
// The module behind the public `facets` namespace of sluice/lineage.
import {
  columnLineageDatasetFacet,
  dataQualityAssertionsDatasetFacet,
  dataQualityMetricsInputDatasetFacet,
  dataSourceDatasetFacet,
  datasetTypeDatasetFacet,
  datasetVersionDatasetFacet,
  documentationDatasetFacet,
  documentationJobFacet,
  environmentVariablesRunFacet,
  errorMessageFromError,
  errorMessageRunFacet,
  inputStatisticsInputDatasetFacet,
  inputSubsetInputDatasetFacet,
  jobTypeJobFacet,
  lifecycleStateChangeDatasetFacet,
  nominalTimeRunFacet,
  outputStatisticsOutputDatasetFacet,
  outputSubsetOutputDatasetFacet,
  ownershipDatasetFacet,
  ownershipJobFacet,
  parentRunFacet,
  processingEngineRunFacet,
  schemaDatasetFacet,
  sourceCodeJobFacet,
  sourceCodeLocationJobFacet,
  sqlJobFacet,
  storageDatasetFacet,
  symlinksDatasetFacet,
  tagsDatasetFacet,
  tagsJobFacet,
  tagsRunFacet,
} from '../../lineage/client/facets.ts';
import type { Facet } from '../../lineage/index.ts';
import { SPEC_DIR, validateFacet, validateOpenLineageEvent } from '../support/openlineage-validator.ts';

const pipeline = { run: { runId: uuidv7() }, job: { namespace: 'sluice', name: 'churn' } };

// [key, where it goes, facet]: one entry per builder, with every optional field used somewhere.
const built: Array<[string, 'run' | 'job' | 'dataset' | 'input' | 'output', Facet]> = [
  ['parent', 'run', parentRunFacet({ ...pipeline, root: pipeline })],
  ['nominalTime', 'run', nominalTimeRunFacet({ nominalStartTime: '2025-06-01T10:00:00Z', nominalEndTime: '2025-06-01T11:00:00Z' })],
  ['errorMessage', 'run', errorMessageRunFacet({ message: 'boom', stackTrace: 'Error: boom\n    at x (a.ts:1:1)' })],
  ['errorMessage', 'run', errorMessageFromError(new TypeError('bad input'))],
  ['processing_engine', 'run', processingEngineRunFacet()],
  ['environmentVariables', 'run', environmentVariablesRunFacet({ environmentVariables: [{ name: 'AWS_REGION', value: 'eu-west-1' }] })],
  ['tags', 'run', tagsRunFacet({ tags: [{ key: 'env', value: 'prod', source: 'USER' }] })],
  [
    'jobType',
    'job',
    jobTypeJobFacet({
      processingType: 'BATCH',
      integration: 'SLUICE',
      jobType: 'TASK',
      emissionPattern: { eventTrigger: 'EVENT_BASED', eventContentMode: 'ACCUMULATIVE', windowDuration: 60 },
    }),
  ],
  [
    'sourceCodeLocation',
    'job',
    sourceCodeLocationJobFacet({
      type: 'git',
      url: 'https://github.com/acme/etl/blob/abc/src/a.ts',
      repoUrl: 'https://github.com/acme/etl.git',
      path: 'src/a.ts',
      version: 'abc',
      branch: 'main',
      tag: 'v1',
      pullRequestNumber: '42',
    }),
  ],
  ['sourceCode', 'job', sourceCodeJobFacet({ language: 'typescript', sourceCode: 'export const x = 1;' })],
  ['documentation', 'job', documentationJobFacet({ description: 'Scores churn.', contentType: 'text/markdown' })],
  ['ownership', 'job', ownershipJobFacet({ owners: [{ name: 'team:data', type: 'MAINTAINER' }] })],
  ['sql', 'job', sqlJobFacet({ query: 'SELECT 1', dialect: 'duckdb' })],
  ['tags', 'job', tagsJobFacet({ tags: [{ key: 'tier', value: 'gold' }] })],
  [
    'schema',
    'dataset',
    schemaDatasetFacet({
      fields: [
        { name: 'id', type: 'VARCHAR', description: 'customer', ordinal_position: 1 },
        { name: 'address', type: 'STRUCT', ordinal_position: 2, fields: [{ name: 'city', type: 'VARCHAR', ordinal_position: 1 }] },
      ],
    }),
  ],
  ['dataSource', 'dataset', dataSourceDatasetFacet({ name: 's3://bucket', uri: 's3://bucket' })],
  ['storage', 'dataset', storageDatasetFacet({ storageLayer: 's3', fileFormat: 'parquet' })],
  ['version', 'dataset', datasetVersionDatasetFacet({ datasetVersion: '3HL4kqtJvjVBH40Nrjfkd' })],
  ['datasetType', 'dataset', datasetTypeDatasetFacet({ datasetType: 'FILE', subType: 'parquet' })],
  [
    'lifecycleStateChange',
    'dataset',
    lifecycleStateChangeDatasetFacet({ lifecycleStateChange: 'RENAME', previousIdentifier: { namespace: 's3://b', name: 'old' } }),
  ],
  [
    'columnLineage',
    'dataset',
    columnLineageDatasetFacet({
      fields: {
        id: {
          inputFields: [
            { namespace: 's3://b', name: 'raw/events', field: 'id', transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }] },
          ],
        },
        spend: {
          inputFields: [
            {
              namespace: 's3://b',
              name: 'raw/events',
              field: 'amount',
              transformations: [{ type: 'DIRECT', subtype: 'AGGREGATION', description: 'sum', masking: false }],
            },
          ],
        },
      },
      dataset: [{ namespace: 's3://b', name: 'raw/events', field: 'amount', transformations: [{ type: 'INDIRECT', subtype: 'FILTER' }] }],
    }),
  ],
  [
    'symlinks',
    'dataset',
    symlinksDatasetFacet({ identifiers: [{ namespace: 'arn:aws:glue:eu-west-1:123456789012', name: 'table/db/events', type: 'TABLE' }] }),
  ],
  ['documentation', 'dataset', documentationDatasetFacet({ description: 'Raw events.' })],
  ['ownership', 'dataset', ownershipDatasetFacet({ owners: [{ name: 'team:data' }] })],
  ['tags', 'dataset', tagsDatasetFacet({ tags: [{ key: 'pii', value: 'true', field: 'email', source: 'USER' }] })],
  [
    'dataQualityMetrics',
    'input',
    dataQualityMetricsInputDatasetFacet({
      rowCount: 10,
      bytes: 2048,
      fileCount: 1,
      lastUpdated: '2025-06-01T10:00:00Z',
      columnMetrics: { amount: { nullCount: 0, distinctCount: 9, sum: 120.5, count: 10, min: 1, max: 40, quantiles: { '0.5': 10 } } },
    }),
  ],
  [
    'dataQualityAssertions',
    'input',
    dataQualityAssertionsDatasetFacet({
      assertions: [
        { assertion: 'not_null', success: true, column: 'id' },
        {
          assertion: 'min',
          success: false,
          column: 'amount',
          severity: 'error',
          name: 'amount >= 0',
          description: 'no refunds',
          expected: '0',
          actual: '-3',
          content: 'min(amount) >= 0',
          contentType: 'sql',
          params: { min: 0 },
        },
      ],
    }),
  ],
  ['inputStatistics', 'input', inputStatisticsInputDatasetFacet({ rowCount: 10, size: 2048, fileCount: 1 })],
  [
    'subset',
    'input',
    inputSubsetInputDatasetFacet({ inputCondition: { type: 'location', locations: ['s3://b/raw/events/2025-06-01.csv'] } }),
  ],
  ['outputStatistics', 'output', outputStatisticsOutputDatasetFacet({ rowCount: 9, size: 1024, fileCount: 1 })],
  [
    'subset',
    'output',
    outputSubsetOutputDatasetFacet({
      outputCondition: {
        type: 'binary',
        operator: 'AND',
        left: { type: 'partition', partitions: [{ identifier: 'dt=2025-06-01', dimensions: { dt: '2025-06-01' } }] },
        right: { type: 'compare', comparison: 'EQUAL', left: { type: 'field', field: 'region' }, right: { type: 'literal', value: 'eu' } },
      },
    }),
  ],
];

describe('facet builders', () => {
  it.each(built.map(([key, where, facet]) => [`${where} ${key} (${facet._schemaURL.split('/').pop()})`, key, facet] as const))(
    'does build a %s facet that validates against its schema file',
    (_label, key, facet) => {
      expect(validateFacet(key, key, facet)).toEqual([]);
      expect(facet._producer).toBe(PRODUCER);
      expect(facet._schemaURL).toMatch(/^https:\/\/openlineage\.io\/spec\/facets\/\d+-\d+-\d+\/\w+\.json#\/\$defs\/\w+$/);
    },
  );

  it('does cover every standard facet this client declares', () => {
    const urls = new Set(built.map(([, , f]) => f._schemaURL));
    for (const name of Object.keys(STANDARD_FACET_SCHEMAS)) {
      expect(urls).toContain(facetSchemaUrl(name as keyof typeof STANDARD_FACET_SCHEMAS));
    }
  });

  it('does declare the version of each facet file as its $id says', () => {
    for (const { file, version } of Object.values(STANDARD_FACET_SCHEMAS)) {
      const schema = JSON.parse(readFileSync(join(SPEC_DIR, 'facets', `${file}.json`), 'utf8')) as { $id: string };
      expect(schema.$id).toBe(`https://openlineage.io/spec/facets/${version}/${file}.json`);
    }
  });

  it('does build a full COMPLETE event that validates when every facet is in its place', () => {
    const pick = (where: string) => Object.fromEntries(built.filter(([, w]) => w === where).map(([k, , f]) => [k, f]));
    const event = runEvent({
      eventType: 'COMPLETE',
      run: { runId: uuidv7(), facets: pick('run') },
      job: { namespace: 'sluice', name: 'churn.ingest', facets: pick('job') },
      inputs: [{ namespace: 's3://b', name: 'raw/events', facets: pick('dataset'), inputFacets: pick('input') }],
      outputs: [{ namespace: 's3://b', name: 'staged/events', facets: pick('dataset'), outputFacets: pick('output') }],
    });
    expect(validateOpenLineageEvent(event)).toEqual([]);
  });

  it('does stamp the runtime into processing_engine and typescript into errorMessage by default', () => {
    expect(processingEngineRunFacet()).toMatchObject({
      name: 'nodejs',
      version: process.versions.node,
      openlineageAdapterVersion: CLIENT_VERSION,
    });
    expect(errorMessageRunFacet({ message: 'x' }).programmingLanguage).toBe('typescript');
    expect(errorMessageRunFacet({ message: 'x', programmingLanguage: 'sql' }).programmingLanguage).toBe('sql');
    expect(parentRunFacet(pipeline, { producer: 'https://example.com/p' })._producer).toBe('https://example.com/p');
  });

  it('fails validation when a facet misses a required field', () => {
    const broken = { ...jobTypeJobFacet({ processingType: 'BATCH', integration: 'SLUICE' }), integration: undefined };
    expect(validateFacet('job.facets.jobType', 'jobType', JSON.parse(JSON.stringify(broken)))).toEqual([
      `job.facets.jobType/jobType: must have required property 'integration' {"missingProperty":"integration"}`,
    ]);
  });

  it('fails validation when a _schemaURL names an unknown file, a wrong version or a missing $defs entry', () => {
    const facet = datasetVersionDatasetFacet({ datasetVersion: '1' });
    expect(validateFacet('v', 'version', { ...facet, _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/NoSuchFacet.json' })).toEqual([
      'v: _schemaURL https://openlineage.io/spec/facets/1-0-0/NoSuchFacet.json names no standard facet file (NoSuchFacet.json)',
    ]);
    expect(
      validateFacet('v', 'version', {
        ...facet,
        _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/DatasetVersionDatasetFacet.json#/$defs/Nope',
      }),
    ).toEqual([
      "v: _schemaURL version 1-0-0 differs from DatasetVersionDatasetFacet.json's 1-0-1",
      'v: _schemaURL names $defs/Nope, which DatasetVersionDatasetFacet.json does not define',
    ]);
    expect(validateFacet('v', 'custom_thing', { _producer: PRODUCER, _schemaURL: 'https://example.com/facets/1-0-0/X.json' })).toEqual([]);
  });
});
