import { setOwn, type CatalogStore } from './catalog-store.ts';
import type {
  ApiFacet,
  ColumnLineage,
  ColumnLineageInput,
  Dataset,
  DatasetField,
  DatasetSummary,
  DatasetVersion,
  Job,
  JobNodeData,
  JobSummary,
  NodeRef,
  Run,
  RunDatasetVersion,
  RunState,
} from '../marquez/api.ts';

type Facets = Record<string, ApiFacet>;

/** A job row as stored. */
export type JobRecord = {
  uuid: string;
  namespace: string;
  name: string;
  simple_name: string;
  parent_uuid: string | null;
  parent_name: string | null;
  type: string;
  description: string | null;
  location: string | null;
  created_at: string;
  updated_at: string;
  current_version: string | null;
};
/** A dataset row as stored. */
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
  created_at: string;
  updated_at: string;
};
type RunRecord = {
  uuid: string;
  job_uuid: string;
  state: RunState;
  started_at: string | null;
  ended_at: string | null;
  nominal_start: string | null;
  nominal_end: string | null;
  args: string;
  job_version: string | null;
  created_at: string;
  updated_at: string;
};

// Views are built for many objects at once (a lineage graph has thousands of nodes): each kind of row is read with
// one query over a JSON array of keys, so the cost grows with the answer, not with round trips per node.
const IN = 'IN (SELECT value FROM json_each(?))';
const keys = (list: Iterable<string>): string => JSON.stringify([...new Set(list)]);

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

/** Tags by owner (`job:…`, `dataset:…`, `field:…`), sorted; the tag table is small, so it is read whole. */
function allTags(store: CatalogStore): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of store.all<{ owner: string; tag: string }>('SELECT owner, tag FROM object_tags ORDER BY owner, tag')) {
    const list = out.get(r.owner);
    if (list) list.push(r.tag);
    else out.set(r.owner, [r.tag]);
  }
  return out;
}

/** The merged facets of many owners. */
function facetsOf(store: CatalogStore, owners: Iterable<string>): Map<string, Facets> {
  const out = new Map<string, Facets>();
  for (const r of store.all<{ owner: string; name: string; body: string }>(
    `SELECT owner, name, body FROM facets WHERE owner ${IN} ORDER BY owner, name`,
    keys(owners),
  )) {
    let facets = out.get(r.owner);
    if (!facets) out.set(r.owner, (facets = {}));
    setOwn(facets, r.name, JSON.parse(r.body));
  }
  return out;
}

// Fields as stored from the schema facet: `type` and `description` may be absent.
type StoredField = { name: string; type?: string | null; description?: string | null };

function fieldsOf(tagsByOwner: Map<string, string[]>, datasetUuid: string, json: string): DatasetField[] {
  return (JSON.parse(json) as StoredField[]).map((f) => ({
    name: f.name,
    type: f.type ?? null,
    tags: tagsByOwner.get(`field:${datasetUuid}:${f.name}`) ?? [],
    description: f.description ?? null,
  }));
}

function datasetRef(store: CatalogStore, uuid: string): NodeRef {
  return store.get<NodeRef>('SELECT namespace, name FROM datasets WHERE uuid = ?', uuid)!;
}

/** Marquez's `Run` for each of `uuids` that exists. */
export function runViews(store: CatalogStore, uuids: Iterable<string>): Map<string, Run> {
  const runs = store.all<RunRecord & { job_namespace: string; job_name: string }>(
    `SELECT r.*, j.namespace AS job_namespace, j.name AS job_name FROM runs r JOIN jobs j ON j.uuid = r.job_uuid WHERE r.uuid ${IN}`,
    keys(uuids),
  );
  const ioRows = store.all<{
    run_uuid: string;
    direction: string;
    dataset_uuid: string;
    version_uuid: string;
    namespace: string;
    name: string;
  }>(
    `SELECT io.run_uuid, io.direction, io.dataset_uuid, io.version_uuid, d.namespace, d.name
     FROM run_io io JOIN datasets d ON d.uuid = io.dataset_uuid WHERE io.run_uuid ${IN} ORDER BY io.rowid`,
    keys(runs.map((r) => r.uuid)),
  );
  const facets = facetsOf(store, [
    ...runs.map((r) => `run:${r.uuid}`),
    ...ioRows.map((x) => `${x.direction}:${x.run_uuid}:${x.dataset_uuid}`),
  ]);
  const io = groupBy(ioRows, (x) => `${x.direction}:${x.run_uuid}`);
  const versions = (run: string, dir: string): RunDatasetVersion[] =>
    (io.get(`${dir}:${run}`) ?? []).map((x) => ({
      datasetVersionId: { namespace: x.namespace, name: x.name, version: x.version_uuid },
      facets: facets.get(`${dir}:${run}:${x.dataset_uuid}`) ?? {},
    }));
  const out = new Map<string, Run>();
  for (const r of runs) {
    const durationMs = r.started_at && r.ended_at ? Date.parse(r.ended_at) - Date.parse(r.started_at) : null;
    out.set(r.uuid, {
      id: r.uuid,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      nominalStartTime: r.nominal_start,
      nominalEndTime: r.nominal_end,
      state: r.state,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      durationMs,
      args: JSON.parse(r.args) as Run['args'],
      jobVersion: r.job_version ? { namespace: r.job_namespace, name: r.job_name, version: r.job_version } : null,
      inputDatasetVersions: versions(r.uuid, 'in'),
      outputDatasetVersions: versions(r.uuid, 'out'),
      facets: facets.get(`run:${r.uuid}`) ?? {},
    });
  }
  return out;
}

/** Marquez's `Run`. */
export function runView(store: CatalogStore, uuid: string): Run | undefined {
  return runViews(store, [uuid]).get(uuid);
}

/** Marquez's `Job` for each row, in order; `full` adds facets, tags and the latest runs (a lineage node's `data` omits them). */
export function jobViews(store: CatalogStore, rows: readonly JobRecord[], full?: true): Job[];
export function jobViews(store: CatalogStore, rows: readonly JobRecord[], full: false): JobNodeData[];
export function jobViews(store: CatalogStore, rows: readonly JobRecord[], full = true): (Job | JobNodeData)[] {
  const jobKeys = keys(rows.map((j) => j.uuid));
  const latest = groupBy(
    store.all<{ job_uuid: string; uuid: string }>(
      `SELECT job_uuid, uuid FROM (SELECT job_uuid, uuid, row_number() OVER (PARTITION BY job_uuid ORDER BY created_at DESC, rowid DESC) AS n
       FROM runs WHERE job_uuid ${IN}) WHERE n <= ? ORDER BY job_uuid, n`,
      jobKeys,
      full ? 10 : 1,
    ),
    (r) => r.job_uuid,
  );
  const runs = runViews(
    store,
    [...latest.values()].flat().map((r) => r.uuid),
  );
  const io = groupBy(
    store.all<{ version_uuid: string; direction: string; namespace: string; name: string }>(
      `SELECT v.version_uuid, v.direction, d.namespace, d.name FROM job_version_io v JOIN datasets d ON d.uuid = v.dataset_uuid
       WHERE v.version_uuid ${IN}`,
      keys(rows.flatMap((j) => (j.current_version ? [j.current_version] : []))),
    ),
    (r) => `${r.direction}:${r.version_uuid}`,
  );
  // Sorted per job (a few rows each) rather than in SQL over all of them.
  const byName = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) =>
    a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  const ioOf = (version: string | null, dir: string): NodeRef[] =>
    (io.get(`${dir}:${version}`) ?? []).map((r) => ({ namespace: r.namespace, name: r.name })).sort(byName);
  const facets = full
    ? facetsOf(
        store,
        rows.map((j) => `job:${j.uuid}`),
      )
    : new Map<string, Facets>();
  const tagsByOwner = full ? allTags(store) : new Map<string, string[]>();
  return rows.map((j) => {
    const latestRuns = (latest.get(j.uuid) ?? []).map((r) => runs.get(r.uuid)!);
    const latestRun = latestRuns[0] ?? null;
    const base: JobSummary = {
      id: { namespace: j.namespace, name: j.name },
      type: j.type,
      name: j.name,
      simpleName: j.simple_name,
      parentJobName: j.parent_name,
      parentJobUuid: j.parent_uuid,
      createdAt: j.created_at,
      updatedAt: j.updated_at,
      namespace: j.namespace,
      inputs: ioOf(j.current_version, 'in'),
      outputs: ioOf(j.current_version, 'out'),
      location: j.location,
      description: j.description,
      latestRun,
    };
    if (!full) return { ...base, currentRunUuid: latestRun ? latestRun.id : null };
    return {
      ...base,
      latestRuns,
      facets: facets.get(`job:${j.uuid}`) ?? {},
      currentVersion: j.current_version,
      labels: [],
      tags: tagsByOwner.get(`job:${j.uuid}`) ?? [],
    };
  });
}

/** Marquez's `Job`. */
export function jobView(store: CatalogStore, j: JobRecord): Job {
  return jobViews(store, [j])[0]!;
}

/** Column lineage of a dataset version in Marquez's `Dataset.columnLineage` shape, or null when there is none. */
export function columnLineageOf(store: CatalogStore, version: string | null): ColumnLineage[] | null {
  if (!version) return null;
  const rows = store.all<{
    field: string;
    input_dataset_uuid: string;
    input_field: string;
    description: string | null;
    type: string | null;
  }>(
    'SELECT field, input_dataset_uuid, input_field, description, type FROM column_lineage WHERE version_uuid = ? ORDER BY field, input_dataset_uuid, input_field',
    version,
  );
  if (rows.length === 0) return null;
  const byField = new Map<string, ColumnLineageInput[]>();
  for (const r of rows) {
    const ref = datasetRef(store, r.input_dataset_uuid);
    const list = byField.get(r.field) ?? [];
    list.push({
      namespace: ref.namespace,
      dataset: ref.name,
      field: r.input_field,
      transformationDescription: r.description,
      transformationType: r.type,
    });
    byField.set(r.field, list);
  }
  return [...byField].map(([name, inputFields]) => ({ name, inputFields }));
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
    : new Map<string, Facets>();
  return rows.map((d) => {
    const base: DatasetSummary = {
      id: { namespace: d.namespace, name: d.name },
      type: 'DB_TABLE',
      name: d.name,
      physicalName: d.name,
      createdAt: d.created_at,
      updatedAt: d.updated_at,
      namespace: d.namespace,
      sourceName: d.source_name,
      fields: fieldsOf(tagsByOwner, d.uuid, d.fields),
      tags: tagsByOwner.get(`dataset:${d.uuid}`) ?? [],
      lastModifiedAt: d.last_modified_at,
      description: d.description,
      lastLifecycleState: d.lifecycle_state,
    };
    if (!full) return base;
    return {
      ...base,
      currentVersion: d.current_version,
      columnLineage: columnLineageOf(store, d.current_version),
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
  const v = store.get<{
    uuid: string;
    run_uuid: string | null;
    fields: string;
    lifecycle_state: string | null;
    created_at: string;
    version_label: string | null;
  }>('SELECT * FROM dataset_versions WHERE uuid = ? AND dataset_uuid = ?', versionUuid, d.uuid);
  if (!v) return undefined;
  const tagsByOwner = allTags(store);
  return {
    id: { namespace: d.namespace, name: d.name, version: v.uuid },
    type: 'DB_TABLE',
    name: d.name,
    physicalName: d.name,
    createdAt: v.created_at,
    version: v.uuid,
    namespace: d.namespace,
    sourceName: d.source_name,
    fields: fieldsOf(tagsByOwner, d.uuid, v.fields),
    tags: tagsByOwner.get(`dataset:${d.uuid}`) ?? [],
    lifecycleState: v.lifecycle_state,
    description: d.description,
    createdByRun: v.run_uuid ? (runView(store, v.run_uuid) ?? null) : null,
    columnLineage: columnLineageOf(store, v.uuid),
    facets: store.facets(`dsv:${v.uuid}`),
  };
}
