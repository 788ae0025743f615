// The package's lineage entries are curated: a name appears or disappears here on purpose, not by accident.
import { describe, expect, it } from 'vitest';
import * as catalog from 'sluice/catalog';
import * as lineage from 'sluice/lineage';
import * as trace from 'sluice/trace';

describe('the lineage entries of the package', () => {
  it('does export the client, delivery, transports, events, ids and errors from sluice/lineage', () => {
    expect(Object.keys(lineage).sort()).toEqual([
      'CLAIM_LAPSES_MS',
      'CLIENT_VERSION',
      'CompositeTransport',
      'ConsoleTransport',
      'DeliveryCircuit',
      'DirectoryOutbox',
      'FileTransport',
      'HttpTransport',
      'LineageConfigError',
      'LineageError',
      'LineageTransportError',
      'NoopTransport',
      'OpenLineageClient',
      'PRODUCER',
      'SafeEmitter',
      'SluiceError',
      'TransformTransport',
      'UUID_NAMESPACE_DNS',
      'UUID_NAMESPACE_URL',
      'datasetEvent',
      'facets',
      'isOutboxEntryName',
      'isSluiceError',
      'jobEvent',
      'jobNamespaceReplaceTransformer',
      'outboxEntryName',
      'outboxEntryTime',
      'parseLineageEvent',
      'replayOutbox',
      'resolveLineageConfig',
      'runEvent',
      'serializeEvent',
      'uuidv5',
      'uuidv7',
    ]);
  });

  it('does keep every standard facet builder behind the facets namespace', () => {
    expect(Object.keys(lineage.facets).sort()).toEqual([
      'columnLineageDatasetFacet',
      'dataQualityAssertionsDatasetFacet',
      'dataQualityMetricsInputDatasetFacet',
      'dataSourceDatasetFacet',
      'datasetTypeDatasetFacet',
      'datasetVersionDatasetFacet',
      'documentationDatasetFacet',
      'documentationJobFacet',
      'environmentVariablesRunFacet',
      'errorMessageFromError',
      'errorMessageRunFacet',
      'inputStatisticsInputDatasetFacet',
      'inputSubsetInputDatasetFacet',
      'jobTypeJobFacet',
      'lifecycleStateChangeDatasetFacet',
      'nominalTimeRunFacet',
      'outputStatisticsOutputDatasetFacet',
      'outputSubsetOutputDatasetFacet',
      'ownershipDatasetFacet',
      'ownershipJobFacet',
      'parentRunFacet',
      'processingEngineRunFacet',
      'schemaDatasetFacet',
      'sourceCodeJobFacet',
      'sourceCodeLocationJobFacet',
      'sqlJobFacet',
      'storageDatasetFacet',
      'symlinksDatasetFacet',
      'tagsDatasetFacet',
      'tagsJobFacet',
      'tagsRunFacet',
    ]);
  });

  it('does export the server, the store and imports from sluice/catalog', () => {
    expect(Object.keys(catalog).sort()).toEqual([
      'CatalogStore',
      'importEventsFile',
      'ingestEvent',
      'isLoopback',
      'recordStateDirLineage',
      'startCatalogServer',
    ]);
  });

  it('does export tracing and its formats from sluice/trace', () => {
    expect(Object.keys(trace).sort()).toEqual(['TraceError', 'formatTrace', 'formatTraceMermaid', 'traceNode']);
  });
});
