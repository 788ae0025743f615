import { stampFacet } from './facet-base.ts';
import type { FacetOptions, Stamped } from './facet-base.ts';
import type { DocumentationFacetBody, OwnershipFacetBody } from './job-facets.ts';

/** One column of a `schema` facet; `ordinal_position` is 1-based; `fields` nests struct members. */
export type SchemaField = {
  name: string;
  type?: string;
  description?: string;
  ordinal_position?: number;
  fields?: SchemaField[];
};
/** Body of the `schema` dataset facet. */
export type SchemaDatasetFacetBody = { fields?: SchemaField[] };
/** The `schema` dataset facet (SchemaDatasetFacet 1-2-0). */
export type SchemaDatasetFacet = Stamped<SchemaDatasetFacetBody>;
/** Builds the `schema` dataset facet. */
export function schemaDatasetFacet(body: SchemaDatasetFacetBody, options?: FacetOptions): SchemaDatasetFacet {
  return stampFacet('SchemaDatasetFacet', body, options);
}

/** Body of the `dataSource` dataset facet; convention: `name` = `uri` = the dataset namespace. */
export type DatasourceDatasetFacetBody = { name?: string; uri?: string };
/** The `dataSource` dataset facet (DatasourceDatasetFacet 1-0-1). */
export type DatasourceDatasetFacet = Stamped<DatasourceDatasetFacetBody>;
/** Builds the `dataSource` dataset facet. */
export function dataSourceDatasetFacet(body: DatasourceDatasetFacetBody, options?: FacetOptions): DatasourceDatasetFacet {
  return stampFacet('DatasourceDatasetFacet', body, options);
}

/** Body of the `storage` dataset facet (documented layers: iceberg, delta; formats: parquet, csv, json…). */
export type StorageDatasetFacetBody = { storageLayer: string; fileFormat?: string };
/** The `storage` dataset facet (StorageDatasetFacet 1-0-1). */
export type StorageDatasetFacet = Stamped<StorageDatasetFacetBody>;
/** Builds the `storage` dataset facet. */
export function storageDatasetFacet(body: StorageDatasetFacetBody, options?: FacetOptions): StorageDatasetFacet {
  return stampFacet('StorageDatasetFacet', body, options);
}

/** Body of the `version` dataset facet: a store-native version such as an S3 VersionId or ETag. */
export type DatasetVersionDatasetFacetBody = { datasetVersion: string };
/** The `version` dataset facet (DatasetVersionDatasetFacet 1-0-1). */
export type DatasetVersionDatasetFacet = Stamped<DatasetVersionDatasetFacetBody>;
/** Builds the `version` dataset facet. */
export function datasetVersionDatasetFacet(body: DatasetVersionDatasetFacetBody, options?: FacetOptions): DatasetVersionDatasetFacet {
  return stampFacet('DatasetVersionDatasetFacet', body, options);
}

/** Body of the `datasetType` dataset facet (TABLE, VIEW, FILE, TOPIC, STREAM, MODEL, JOB_OUTPUT). */
export type DatasetTypeDatasetFacetBody = { datasetType: string; subType?: string };
/** The `datasetType` dataset facet (DatasetTypeDatasetFacet 1-0-1). */
export type DatasetTypeDatasetFacet = Stamped<DatasetTypeDatasetFacetBody>;
/** Builds the `datasetType` dataset facet. */
export function datasetTypeDatasetFacet(body: DatasetTypeDatasetFacetBody, options?: FacetOptions): DatasetTypeDatasetFacet {
  return stampFacet('DatasetTypeDatasetFacet', body, options);
}

/** A lifecycle change of an output dataset. */
export type LifecycleStateChange = 'ALTER' | 'CREATE' | 'DROP' | 'OVERWRITE' | 'RENAME' | 'TRUNCATE';
/** Body of the `lifecycleStateChange` dataset facet; `previousIdentifier` for RENAME. */
export type LifecycleStateChangeDatasetFacetBody = {
  lifecycleStateChange: LifecycleStateChange;
  previousIdentifier?: { namespace: string; name: string };
};
/** The `lifecycleStateChange` dataset facet (LifecycleStateChangeDatasetFacet 1-0-1). */
export type LifecycleStateChangeDatasetFacet = Stamped<LifecycleStateChangeDatasetFacetBody>;
/** Builds the `lifecycleStateChange` dataset facet. */
export function lifecycleStateChangeDatasetFacet(
  body: LifecycleStateChangeDatasetFacetBody,
  options?: FacetOptions,
): LifecycleStateChangeDatasetFacet {
  return stampFacet('LifecycleStateChangeDatasetFacet', body, options);
}

/** How an input influences an output: DIRECT (IDENTITY, TRANSFORMATION, AGGREGATION) or INDIRECT (JOIN, FILTER…). */
export type ColumnTransformation = { type: string; subtype?: string; description?: string; masking?: boolean };
/** One input column feeding an output column. */
export type ColumnLineageInputField = {
  namespace: string;
  name: string;
  field: string;
  transformations?: ColumnTransformation[];
};
/** Body of the `columnLineage` dataset facet: per output column its inputs; whole-dataset influences in `dataset`. */
export type ColumnLineageDatasetFacetBody = {
  fields: Record<string, { inputFields: ColumnLineageInputField[] }>;
  dataset?: ColumnLineageInputField[];
};
/** The `columnLineage` dataset facet (ColumnLineageDatasetFacet 1-2-0). */
export type ColumnLineageDatasetFacet = Stamped<ColumnLineageDatasetFacetBody>;
/** Builds the `columnLineage` dataset facet. */
export function columnLineageDatasetFacet(body: ColumnLineageDatasetFacetBody, options?: FacetOptions): ColumnLineageDatasetFacet {
  return stampFacet('ColumnLineageDatasetFacet', body, options);
}

/** Body of the `symlinks` dataset facet: other names of the same data (e.g. its Glue table). */
export type SymlinksDatasetFacetBody = { identifiers?: Array<{ namespace: string; name: string; type: string }> };
/** The `symlinks` dataset facet (SymlinksDatasetFacet 1-0-1). */
export type SymlinksDatasetFacet = Stamped<SymlinksDatasetFacetBody>;
/** Builds the `symlinks` dataset facet. */
export function symlinksDatasetFacet(body: SymlinksDatasetFacetBody, options?: FacetOptions): SymlinksDatasetFacet {
  return stampFacet('SymlinksDatasetFacet', body, options);
}

/** The dataset `documentation` facet (DocumentationDatasetFacet 1-1-0). */
export type DocumentationDatasetFacet = Stamped<DocumentationFacetBody>;
/** Builds the dataset `documentation` facet. */
export function documentationDatasetFacet(body: DocumentationFacetBody, options?: FacetOptions): DocumentationDatasetFacet {
  return stampFacet('DocumentationDatasetFacet', body, options);
}

/** The dataset `ownership` facet (OwnershipDatasetFacet 1-0-1). */
export type OwnershipDatasetFacet = Stamped<OwnershipFacetBody>;
/** Builds the dataset `ownership` facet. */
export function ownershipDatasetFacet(body: OwnershipFacetBody, options?: FacetOptions): OwnershipDatasetFacet {
  return stampFacet('OwnershipDatasetFacet', body, options);
}

/** Body of the dataset `tags` facet; `field` scopes a tag to one column. */
export type TagsDatasetFacetBody = { tags?: Array<{ key: string; value: string; source?: string; field?: string }> };
/** The dataset `tags` facet (TagsDatasetFacet 1-0-0). */
export type TagsDatasetFacet = Stamped<TagsDatasetFacetBody>;
/** Builds the dataset `tags` facet. */
export function tagsDatasetFacet(body: TagsDatasetFacetBody, options?: FacetOptions): TagsDatasetFacet {
  return stampFacet('TagsDatasetFacet', body, options);
}
