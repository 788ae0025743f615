import type { CatalogStore } from './catalog-store.ts';

type Obj = Record<string, unknown>;

/** A job row as stored. */
export type JobRecord = {
  uuid: string; namespace: string; name: string; simple_name: string; parent_uuid: string | null; parent_name: string | null;
  type: string; description: string | null; location: string | null; created_at: string; updated_at: string; current_version: string | null;
};
/** A dataset row as stored. */
export type DatasetRecord = {
  uuid: string; namespace: string; name: string; source_name: string; description: string | null; fields: string;
  current_version: string | null; last_modified_at: string | null; lifecycle_state: string | null; deleted: number; created_at: string; updated_at: string;
};
type RunRecord = {
  uuid: string; job_uuid: string; state: string; started_at: string | null; ended_at: string | null; nominal_start: string | null;
  nominal_end: string | null; args: string; job_version: string | null; created_at: string; updated_at: string;
};

function tags(store: CatalogStore, owner: string): string[] {
  return store.all<{ tag: string }>('SELECT tag FROM object_tags WHERE owner = ? ORDER BY tag', owner).map((r) => r.tag);
}

function fieldsOf(store: CatalogStore, datasetUuid: string, json: string): Obj[] {
  return (JSON.parse(json) as Obj[]).map((f) => ({
    name: f['name'],
    type: f['type'] ?? null,
    tags: tags(store, `field:${datasetUuid}:${String(f['name'])}`),
    description: f['description'] ?? null,
  }));
}

function datasetRef(store: CatalogStore, uuid: string): { namespace: string; name: string } {
  return store.get<{ namespace: string; name: string }>('SELECT namespace, name FROM datasets WHERE uuid = ?', uuid)!;
}

/** Marquez's `Run`. */
export function runView(store: CatalogStore, uuid: string): Obj | undefined {
  const r = store.get<RunRecord>('SELECT * FROM runs WHERE uuid = ?', uuid);
  if (!r) return undefined;
  const job = store.get<JobRecord>('SELECT * FROM jobs WHERE uuid = ?', r.job_uuid)!;
  const io = (dir: string) =>
    store
      .all<{ dataset_uuid: string; version_uuid: string }>('SELECT dataset_uuid, version_uuid FROM run_io WHERE run_uuid = ? AND direction = ? ORDER BY rowid', uuid, dir)
      .map((x) => ({
        datasetVersionId: { ...datasetRef(store, x.dataset_uuid), version: x.version_uuid },
        facets: store.facets(`${dir}:${uuid}:${x.dataset_uuid}`),
      }));
  const durationMs = r.started_at && r.ended_at ? Date.parse(r.ended_at) - Date.parse(r.started_at) : null;
  return {
    id: r.uuid,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    nominalStartTime: r.nominal_start,
    nominalEndTime: r.nominal_end,
    state: r.state,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs,
    args: JSON.parse(r.args) as Obj,
    jobVersion: r.job_version ? { namespace: job.namespace, name: job.name, version: r.job_version } : null,
    inputDatasetVersions: io('in'),
    outputDatasetVersions: io('out'),
    facets: store.facets(`run:${uuid}`),
  };
}

function jobIo(store: CatalogStore, version: string | null, dir: string): { namespace: string; name: string }[] {
  if (!version) return [];
  return store
    .all<{ namespace: string; name: string }>(
      `SELECT d.namespace, d.name FROM job_version_io v JOIN datasets d ON d.uuid = v.dataset_uuid WHERE v.version_uuid = ? AND v.direction = ? ORDER BY d.namespace, d.name`,
      version,
      dir,
    );
}

/** Marquez's `Job`; `full` adds facets, tags and the latest runs (the lineage node's `data` omits them). */
export function jobView(store: CatalogStore, j: JobRecord, full = true): Obj {
  const latest = store.all<{ uuid: string }>('SELECT uuid FROM runs WHERE job_uuid = ? ORDER BY created_at DESC, rowid DESC LIMIT 10', j.uuid);
  const latestRun = latest[0] ? runView(store, latest[0].uuid)! : null;
  const base: Obj = {
    id: { namespace: j.namespace, name: j.name },
    type: j.type,
    name: j.name,
    simpleName: j.simple_name,
    parentJobName: j.parent_name,
    parentJobUuid: j.parent_uuid,
    createdAt: j.created_at,
    updatedAt: j.updated_at,
    namespace: j.namespace,
    inputs: jobIo(store, j.current_version, 'in'),
    outputs: jobIo(store, j.current_version, 'out'),
    location: j.location,
    description: j.description,
    latestRun,
  };
  if (!full) return { ...base, currentRunUuid: latestRun ? latestRun['id'] : null };
  return {
    ...base,
    latestRuns: latest.map((r) => runView(store, r.uuid)!),
    facets: store.facets(`job:${j.uuid}`),
    currentVersion: j.current_version,
    labels: [],
    tags: tags(store, `job:${j.uuid}`),
  };
}

/** Column lineage of a dataset version in Marquez's `Dataset.columnLineage` shape, or null when there is none. */
export function columnLineageOf(store: CatalogStore, version: string | null): Obj[] | null {
  if (!version) return null;
  const rows = store.all<{ field: string; input_dataset_uuid: string; input_field: string; description: string | null; type: string | null }>(
    'SELECT field, input_dataset_uuid, input_field, description, type FROM column_lineage WHERE version_uuid = ? ORDER BY field, input_dataset_uuid, input_field',
    version,
  );
  if (rows.length === 0) return null;
  const byField = new Map<string, Obj[]>();
  for (const r of rows) {
    const ref = datasetRef(store, r.input_dataset_uuid);
    const list = byField.get(r.field) ?? [];
    list.push({ namespace: ref.namespace, dataset: ref.name, field: r.input_field, transformationDescription: r.description, transformationType: r.type });
    byField.set(r.field, list);
  }
  return [...byField].map(([name, inputFields]) => ({ name, inputFields }));
}

/** Marquez's `Dataset`; `full` adds facets, current version and column lineage (the lineage node's `data` omits them). */
export function datasetView(store: CatalogStore, d: DatasetRecord, full = true): Obj {
  const base: Obj = {
    id: { namespace: d.namespace, name: d.name },
    type: 'DB_TABLE',
    name: d.name,
    physicalName: d.name,
    createdAt: d.created_at,
    updatedAt: d.updated_at,
    namespace: d.namespace,
    sourceName: d.source_name,
    fields: fieldsOf(store, d.uuid, d.fields),
    tags: tags(store, `dataset:${d.uuid}`),
    lastModifiedAt: d.last_modified_at,
    description: d.description,
    lastLifecycleState: d.lifecycle_state,
  };
  if (!full) return base;
  return {
    ...base,
    currentVersion: d.current_version,
    columnLineage: columnLineageOf(store, d.current_version),
    facets: d.current_version ? store.facets(`dsv:${d.current_version}`) : {},
    deleted: d.deleted === 1,
  };
}

/** Marquez's `DatasetVersion`, with the run that created it. */
export function datasetVersionView(store: CatalogStore, d: DatasetRecord, versionUuid: string): Obj | undefined {
  const v = store.get<{ uuid: string; run_uuid: string | null; fields: string; lifecycle_state: string | null; created_at: string; version_label: string | null }>(
    'SELECT * FROM dataset_versions WHERE uuid = ? AND dataset_uuid = ?',
    versionUuid,
    d.uuid,
  );
  if (!v) return undefined;
  return {
    id: { namespace: d.namespace, name: d.name, version: v.uuid },
    type: 'DB_TABLE',
    name: d.name,
    physicalName: d.name,
    createdAt: v.created_at,
    version: v.uuid,
    namespace: d.namespace,
    sourceName: d.source_name,
    fields: fieldsOf(store, d.uuid, v.fields),
    tags: tags(store, `dataset:${d.uuid}`),
    lifecycleState: v.lifecycle_state,
    description: d.description,
    createdByRun: v.run_uuid ? (runView(store, v.run_uuid) ?? null) : null,
    columnLineage: columnLineageOf(store, v.uuid),
    facets: store.facets(`dsv:${v.uuid}`),
  };
}
