import type { CatalogStore } from './catalog-store.ts';
import { nameUuid } from './ids.ts';
import { runView } from './read-models.ts';
import { marquezTime } from './times.ts';
import { allTags, facetsOf, fieldsOf } from './view-queries.ts';
import type { ColumnLineage, ColumnLineageInput, Dataset, DatasetSummary, DatasetVersion } from '../marquez/api.ts';

/** A dataset row as stored, with its current version's fields and lifecycle state (read with DATASET_ROWS). */
export type DatasetRecord = {
  uuid: string;
  namespace: string;
  name: string;
  source_name: string;
  description: string | null;
  fields: string;
  current_version: string | null;
  last_modified_at: string | null;
  lifecycle_state: string | null;
  deleted: number;
  hidden: number;
  created_at: string;
  updated_at: string;
  current_fields: string | null;
  current_lifecycle: string | null;
};

/** Dataset rows with their current version's fields and lifecycle state, in one query (`d` is the dataset). */
export const DATASET_ROWS = `SELECT d.*, v.mapped_fields AS current_fields, v.lifecycle_state AS current_lifecycle
FROM datasets d LEFT JOIN dataset_versions v ON v.uuid = d.current_version`;

type VersionRow = {
  uuid: string;
  run_uuid: string | null;
  fields: string;
  mapped_fields: string;
  lifecycle_state: string | null;
  created_at: string;
};

/**
 * Marquez's `currentSchemaVersion`: Java's name-based UUID of `<namespace>:<name>:` followed by the schema's
 * `field:type` pairs sorted by name then type and joined by `:` (a field without a type contributes its name alone).
 */
export function schemaVersion(namespace: string, name: string, fieldsJson: string): string {
  const pairs = (JSON.parse(fieldsJson) as { name: string; type?: string | null }[])
    .map((f) => [f.name, f.type ?? null] as const)
    .sort((a, b) => (a[0] === b[0] ? String(a[1]).localeCompare(String(b[1])) : a[0] < b[0] ? -1 : 1))
    .map(([field, type]) => (type === null ? field : `${field}:${type}`));
  return nameUuid(`${namespace}:${name}:${pairs.join(':')}`);
}

/**
 * The column lineage of a dataset in Marquez's `Dataset.columnLineage` shape, or null when there is none: as Marquez,
 * every output column → input column pair any version recorded, each with the transformation its latest version gave.
 */
export function columnLineageOf(store: CatalogStore, datasetUuid: string): ColumnLineage[] | null {
  const rows = store.all<{
    field: string;
    namespace: string;
    name: string;
    input_field: string;
    description: string | null;
    type: string | null;
  }>(
    `SELECT c.field, d.namespace, d.name, c.input_field, c.description, c.type
     FROM column_lineage c JOIN dataset_versions v ON v.uuid = c.version_uuid JOIN datasets d ON d.uuid = c.input_dataset_uuid
     WHERE v.dataset_uuid = ? ORDER BY c.field, d.namespace, d.name, c.input_field, v.created_at DESC, v.rowid DESC`,
    datasetUuid,
  );
  if (rows.length === 0) return null;
  const byField = new Map<string, Map<string, ColumnLineageInput>>();
  for (const r of rows) {
    const inputs = byField.get(r.field) ?? new Map<string, ColumnLineageInput>();
    const key = `${r.namespace}\u0000${r.name}\u0000${r.input_field}`;
    if (!inputs.has(key))
      inputs.set(key, {
        namespace: r.namespace,
        dataset: r.name,
        field: r.input_field,
        transformationDescription: r.description,
        transformationType: r.type,
      });
    byField.set(r.field, inputs);
  }
  // Marquez also gives each column the transformation of its first input (a deprecated place for it).
  return [...byField].map(([name, inputs]) => {
    const inputFields = [...inputs.values()];
    return {
      name,
      inputFields,
      transformationDescription: inputFields[0]?.transformationDescription ?? null,
      transformationType: inputFields[0]?.transformationType ?? null,
    };
  });
}

/** Marquez's `Dataset` for each row, in order; `full` adds facets, current version and column lineage (a lineage node's `data` omits them). */
export function datasetViews(store: CatalogStore, rows: readonly DatasetRecord[], full?: true): Dataset[];
export function datasetViews(store: CatalogStore, rows: readonly DatasetRecord[], full: false): DatasetSummary[];
export function datasetViews(store: CatalogStore, rows: readonly DatasetRecord[], full = true): (Dataset | DatasetSummary)[] {
  const tagsByOwner = allTags(store);
  const facets = full
    ? facetsOf(
        store,
        rows.flatMap((d) => (d.current_version ? [`dsv:${d.current_version}`] : [])),
      )
    : new Map();
  return rows.map((d) => {
    const base: DatasetSummary = {
      id: { namespace: d.namespace, name: d.name },
      type: 'DB_TABLE',
      name: d.name,
      physicalName: d.name,
      createdAt: marquezTime(d.created_at),
      updatedAt: marquezTime(d.updated_at),
      namespace: d.namespace,
      sourceName: d.source_name,
      // A dataset's fields are those mapped to its current version, as in Marquez (a failed run's new schema is not
      // current; an input's schema adds to the version it read).
      fields: fieldsOf(tagsByOwner, d.uuid, d.current_version ? d.current_fields : null),
      tags: tagsByOwner.get(`dataset:${d.uuid}`) ?? [],
      lastModifiedAt: marquezTime(d.last_modified_at),
      description: d.description,
      lastLifecycleState: d.current_version ? (d.current_lifecycle ?? '') : null,
    };
    if (!full) return base;
    return {
      ...base,
      currentVersion: d.current_version,
      columnLineage: columnLineageOf(store, d.uuid),
      facets: d.current_version ? (facets.get(`dsv:${d.current_version}`) ?? {}) : {},
      deleted: d.deleted === 1,
    };
  });
}

/** Marquez's `Dataset`. */
export function datasetView(store: CatalogStore, d: DatasetRecord): Dataset {
  return datasetViews(store, [d])[0]!;
}

/** Marquez's `DatasetVersion`, with the run that created it. */
export function datasetVersionView(store: CatalogStore, d: DatasetRecord, versionUuid: string): DatasetVersion | undefined {
  const v = store.get<VersionRow>('SELECT * FROM dataset_versions WHERE uuid = ? AND dataset_uuid = ?', versionUuid, d.uuid);
  if (!v) return undefined;
  const tagsByOwner = allTags(store);
  return {
    id: { namespace: d.namespace, name: d.name },
    type: 'DB_TABLE',
    name: d.name,
    physicalName: d.name,
    createdAt: marquezTime(v.created_at),
    version: v.uuid,
    namespace: d.namespace,
    sourceName: d.source_name,
    fields: fieldsOf(tagsByOwner, d.uuid, v.fields),
    tags: tagsByOwner.get(`dataset:${d.uuid}`) ?? [],
    lifecycleState: v.lifecycle_state ?? '',
    description: d.description,
    currentSchemaVersion: schemaVersion(d.namespace, d.name, v.fields),
    createdByRun: v.run_uuid ? (runView(store, v.run_uuid) ?? null) : null,
    facets: store.facets(`dsv:${v.uuid}`),
  };
}
