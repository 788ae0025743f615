import { PRODUCER } from './version.ts';

/** The two fields every facet carries. */
export type FacetBase = { _producer: string; _schemaURL: string };

/** A facet body stamped with `_producer` and `_schemaURL`. */
export type Stamped<T> = T & FacetBase;

/** Options of every facet builder. */
export type FacetOptions = {
  /** `_producer` of the facet; defaults to {@link PRODUCER}. */
  producer?: string;
};

/** Where the standard facet schema files live; a `_schemaURL` outside it names a custom facet. */
export const FACET_SPEC_BASE = 'https://openlineage.io/spec/facets';

/**
 * File and version of each standard facet this client builds, keyed by its `$defs` name.
 * Versions are the `$id` versions of the spec files (OpenLineage 8f02abf); bump them only with the files.
 */
export const STANDARD_FACET_SCHEMAS = {
  ParentRunFacet: { file: 'ParentRunFacet', version: '1-2-0' },
  NominalTimeRunFacet: { file: 'NominalTimeRunFacet', version: '1-0-1' },
  ErrorMessageRunFacet: { file: 'ErrorMessageRunFacet', version: '1-0-1' },
  ProcessingEngineRunFacet: { file: 'ProcessingEngineRunFacet', version: '1-1-1' },
  EnvironmentVariablesRunFacet: { file: 'EnvironmentVariablesRunFacet', version: '1-0-0' },
  TagsRunFacet: { file: 'TagsRunFacet', version: '1-0-0' },
  JobTypeJobFacet: { file: 'JobTypeJobFacet', version: '2-0-4' },
  SourceCodeLocationJobFacet: { file: 'SourceCodeLocationJobFacet', version: '1-1-0' },
  SourceCodeJobFacet: { file: 'SourceCodeJobFacet', version: '1-0-1' },
  DocumentationJobFacet: { file: 'DocumentationJobFacet', version: '1-1-0' },
  OwnershipJobFacet: { file: 'OwnershipJobFacet', version: '1-0-1' },
  SQLJobFacet: { file: 'SQLJobFacet', version: '1-1-0' },
  TagsJobFacet: { file: 'TagsJobFacet', version: '1-0-0' },
  SchemaDatasetFacet: { file: 'SchemaDatasetFacet', version: '1-2-0' },
  DatasourceDatasetFacet: { file: 'DatasourceDatasetFacet', version: '1-0-1' },
  StorageDatasetFacet: { file: 'StorageDatasetFacet', version: '1-0-1' },
  DatasetVersionDatasetFacet: { file: 'DatasetVersionDatasetFacet', version: '1-0-1' },
  DatasetTypeDatasetFacet: { file: 'DatasetTypeDatasetFacet', version: '1-0-1' },
  LifecycleStateChangeDatasetFacet: { file: 'LifecycleStateChangeDatasetFacet', version: '1-0-1' },
  ColumnLineageDatasetFacet: { file: 'ColumnLineageDatasetFacet', version: '1-2-0' },
  SymlinksDatasetFacet: { file: 'SymlinksDatasetFacet', version: '1-0-1' },
  DocumentationDatasetFacet: { file: 'DocumentationDatasetFacet', version: '1-1-0' },
  OwnershipDatasetFacet: { file: 'OwnershipDatasetFacet', version: '1-0-1' },
  TagsDatasetFacet: { file: 'TagsDatasetFacet', version: '1-0-0' },
  DataQualityMetricsInputDatasetFacet: { file: 'DataQualityMetricsInputDatasetFacet', version: '1-0-3' },
  DataQualityAssertionsDatasetFacet: { file: 'DataQualityAssertionsDatasetFacet', version: '1-1-0' },
  InputStatisticsInputDatasetFacet: { file: 'InputStatisticsInputDatasetFacet', version: '1-0-0' },
  OutputStatisticsOutputDatasetFacet: { file: 'OutputStatisticsOutputDatasetFacet', version: '1-0-2' },
  // Both subset facets are defined in one file, BaseSubsetDatasetFacet.json.
  InputSubsetInputDatasetFacet: { file: 'BaseSubsetDatasetFacet', version: '1-0-0' },
  OutputSubsetOutputDatasetFacet: { file: 'BaseSubsetDatasetFacet', version: '1-0-0' },
} as const satisfies Record<string, { file: string; version: string }>;

/** Name of a standard facet definition this client builds. */
export type StandardFacetName = keyof typeof STANDARD_FACET_SCHEMAS;

/** The versioned `_schemaURL` of a standard facet, in the Python client's fragment form `…/<ver>/<File>.json#/$defs/<Def>`. */
export function facetSchemaUrl(name: StandardFacetName): string {
  const { file, version } = STANDARD_FACET_SCHEMAS[name];
  return `${FACET_SPEC_BASE}/${version}/${file}.json#/$defs/${name}`;
}

/** Stamps a facet body with `_producer` and the `_schemaURL` of the named standard facet. */
export function stampFacet<T extends object>(name: StandardFacetName, body: T, options: FacetOptions = {}): Stamped<T> {
  return { _producer: options.producer ?? PRODUCER, _schemaURL: facetSchemaUrl(name), ...body };
}
