// Public surface of the Sluice OpenLineage client; everything else under client/ is internal.
export { CLIENT_VERSION, PRODUCER } from './client/version.ts';
export { UUID_NAMESPACE_DNS, UUID_NAMESPACE_URL, uuidv5, uuidv7 } from './client/ids.ts';
export { isUuid } from '../core/identifiers.ts';
export { LineageConfigError, LineageError, LineageTransportError } from './client/errors.ts';
export type { LineageErrorOptions, LineageTransportErrorOptions } from './client/errors.ts';
export { SLUICE_ERROR_BRAND, SluiceError, isSluiceError } from '../core/errors.ts';

export {
  DatasetEventSchema,
  DatasetSchema,
  DeletableFacetSchema,
  EventTypeSchema,
  FacetSchema,
  InputDatasetSchema,
  JobEventSchema,
  JobSchema,
  OPENLINEAGE_SPEC_URL,
  OutputDatasetSchema,
  RunEventSchema,
  RunSchema,
} from './client/event.ts';
export type {
  Dataset,
  DatasetEvent,
  DeletableFacet,
  EventType,
  Facet,
  InputDataset,
  Job,
  JobEvent,
  LineageEvent,
  LineageEventKind,
  OutputDataset,
  Run,
  RunEvent,
} from './client/event.ts';
export { datasetEvent, eventSchemaUrl, jobEvent, runEvent } from './client/event-builders.ts';
export type { DatasetEventInput, EventEnvelope, JobEventInput, RunEventInput } from './client/event-builders.ts';
export { lineageEventKind, parseLineageEvent } from './client/parse-event.ts';
export { dropNulls, serializeEvent } from './client/serialize.ts';

export { FACET_SPEC_BASE, STANDARD_FACET_SCHEMAS, facetSchemaUrl, stampFacet } from './client/facet-base.ts';
export type { FacetBase, FacetOptions, StandardFacetName, Stamped } from './client/facet-base.ts';
export {
  environmentVariablesRunFacet,
  errorMessageFromError,
  errorMessageRunFacet,
  nominalTimeRunFacet,
  parentRunFacet,
  processingEngineRunFacet,
  tagsRunFacet,
} from './client/run-facets.ts';
export type {
  EnvironmentVariablesRunFacet,
  EnvironmentVariablesRunFacetBody,
  ErrorMessageRunFacet,
  ErrorMessageRunFacetBody,
  NominalTimeRunFacet,
  NominalTimeRunFacetBody,
  ParentRunFacet,
  ParentRunFacetBody,
  ProcessingEngineRunFacet,
  ProcessingEngineRunFacetBody,
  RunReference,
  Tag,
  TagsFacetBody,
  TagsRunFacet,
} from './client/run-facets.ts';
export {
  documentationJobFacet,
  jobTypeJobFacet,
  ownershipJobFacet,
  sourceCodeJobFacet,
  sourceCodeLocationJobFacet,
  sqlJobFacet,
  tagsJobFacet,
} from './client/job-facets.ts';
export type {
  DocumentationFacetBody,
  DocumentationJobFacet,
  JobTypeJobFacet,
  JobTypeJobFacetBody,
  OwnershipFacetBody,
  OwnershipJobFacet,
  SourceCodeJobFacet,
  SourceCodeJobFacetBody,
  SourceCodeLocationJobFacet,
  SourceCodeLocationJobFacetBody,
  SqlJobFacet,
  SqlJobFacetBody,
  TagsJobFacet,
} from './client/job-facets.ts';
export {
  columnLineageDatasetFacet,
  dataSourceDatasetFacet,
  datasetTypeDatasetFacet,
  datasetVersionDatasetFacet,
  documentationDatasetFacet,
  lifecycleStateChangeDatasetFacet,
  ownershipDatasetFacet,
  schemaDatasetFacet,
  storageDatasetFacet,
  symlinksDatasetFacet,
  tagsDatasetFacet,
} from './client/dataset-facets.ts';
export type {
  ColumnLineageDatasetFacet,
  ColumnLineageDatasetFacetBody,
  ColumnLineageInputField,
  ColumnTransformation,
  DatasetTypeDatasetFacet,
  DatasetTypeDatasetFacetBody,
  DatasetVersionDatasetFacet,
  DatasetVersionDatasetFacetBody,
  DatasourceDatasetFacet,
  DatasourceDatasetFacetBody,
  DocumentationDatasetFacet,
  LifecycleStateChange,
  LifecycleStateChangeDatasetFacet,
  LifecycleStateChangeDatasetFacetBody,
  OwnershipDatasetFacet,
  SchemaDatasetFacet,
  SchemaDatasetFacetBody,
  SchemaField,
  StorageDatasetFacet,
  StorageDatasetFacetBody,
  SymlinksDatasetFacet,
  SymlinksDatasetFacetBody,
  TagsDatasetFacet,
  TagsDatasetFacetBody,
} from './client/dataset-facets.ts';
export {
  dataQualityAssertionsDatasetFacet,
  dataQualityMetricsInputDatasetFacet,
  inputStatisticsInputDatasetFacet,
  inputSubsetInputDatasetFacet,
  outputStatisticsOutputDatasetFacet,
  outputSubsetOutputDatasetFacet,
} from './client/dataset-io-facets.ts';
export type {
  ColumnMetrics,
  CompareExpression,
  DataQualityAssertion,
  DataQualityAssertionsDatasetFacet,
  DataQualityAssertionsDatasetFacetBody,
  DataQualityMetricsInputDatasetFacet,
  DataQualityMetricsInputDatasetFacetBody,
  InputStatisticsInputDatasetFacet,
  InputSubsetInputDatasetFacet,
  OutputStatisticsOutputDatasetFacet,
  OutputSubsetOutputDatasetFacet,
  StatisticsFacetBody,
  SubsetCondition,
} from './client/dataset-io-facets.ts';

export {
  ApiKeyAuthSchema,
  CompositeTransportConfigSchema,
  ConsoleTransportConfigSchema,
  FileTransportConfigSchema,
  FilterConfigSchema,
  HttpRetrySchema,
  HttpTransportConfigSchema,
  LineageConfigSchema,
  NoopTransportConfigSchema,
  TransformTransportConfigSchema,
  TransportConfigSchema,
} from './client/config-schema.ts';
export type {
  CompositeTransportConfig,
  ConsoleTransportConfig,
  FileTransportConfig,
  FilterConfig,
  HttpTransportConfig,
  LineageConfig,
  LineageConfigInput,
  NoopTransportConfig,
  TransformTransportConfig,
  TransportConfig,
} from './client/config-schema.ts';
export { configFromEnvironment, resolveLineageConfig } from './client/config.ts';
export type { Environment, ResolveLineageConfigOptions } from './client/config.ts';
export { findLineageConfigFile, readLineageConfigFile } from './client/config-file.ts';
export type { ConfigFileLocations, LineageConfigFile } from './client/config-file.ts';
export { compileFilters } from './client/filters.ts';
export type { EventFilter } from './client/filters.ts';

export type { EmitOptions, Transport } from './client/transports/transport.ts';
export { createTransport } from './client/transports/create-transport.ts';
export { HttpTransport, redactUrl } from './client/transports/http-transport.ts';
export type { HttpTransportOptions } from './client/transports/http-transport.ts';
export { FileTransport } from './client/transports/file-transport.ts';
export type { FileTransportOptions } from './client/transports/file-transport.ts';
export { ConsoleTransport } from './client/transports/console-transport.ts';
export type { ConsoleSink } from './client/transports/console-transport.ts';
export { NoopTransport } from './client/transports/noop-transport.ts';
export { CompositeTransport } from './client/transports/composite-transport.ts';
export type { CompositeChild, CompositeTransportOptions } from './client/transports/composite-transport.ts';
export { TransformTransport, builtInTransformer, jobNamespaceReplaceTransformer } from './client/transports/transform-transport.ts';
export type { EventTransformer, TransformTransportOptions } from './client/transports/transform-transport.ts';

export { OpenLineageClient } from './client/client.ts';
export type { OpenLineageClientOptions } from './client/client.ts';
export { SafeEmitter } from './client/safe-emitter.ts';
export type { LineageEmitter, SafeEmitResult, SafeEmitterOptions, SafeEmitterStats } from './client/safe-emitter.ts';

export type { LineageOutbox } from './client/outbox/outbox.ts';
export { isOutboxEntryName, outboxEntryName, outboxEntryTime } from './client/outbox/outbox.ts';
export { DirectoryOutbox } from './client/outbox/directory-outbox.ts';
export { DeliveryCircuit } from './client/outbox/delivery-circuit.ts';
export type { DeliveryCircuitOptions } from './client/outbox/delivery-circuit.ts';
export { replayOutbox } from './client/outbox/replay-outbox.ts';
export type { KeptEntry, ReplayOptions, ReplayReport } from './client/outbox/replay-outbox.ts';
