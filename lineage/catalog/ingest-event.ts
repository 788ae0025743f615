import type { CatalogStore } from './catalog-store.ts';
import { isUuid } from '../../core/identifiers.ts';
import { hashUuid, nameUuid, runUuid } from './ids.ts';
import { sanitizeJobNamespace } from './names.ts';
import type { CatalogEvent, IngestDataset } from './validate-event.ts';
import { writeColumnLineage } from './ingest-column-lineage.ts';
import { recordInputVersion } from './input-version.ts';
import { javaDateTime, storedTime } from './times.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const RUN_STATE: Record<string, string> = {
  START: 'RUNNING',
  RUNNING: 'RUNNING',
  OTHER: 'RUNNING',
  COMPLETE: 'COMPLETED',
  FAIL: 'FAILED',
  ABORT: 'ABORTED',
};
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'ABORTED']);

/** Inserts a namespace at its first mention; its times never move afterwards, as in Marquez. */
export function upsertNamespace(store: CatalogStore, name: string, time: string): void {
  store.run('INSERT INTO namespaces (name, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', name, time, time);
}

type JobRow = { uuid: string; name: string };

/**
 * Upserts a job; its uuid is a hash of its namespace and name, so an upsert knows it without reading it back. Every
 * event of the job sets `updated_at` to its event time (Marquez writes its wall clock on non-terminal events: an
 * extension, so an import or a replay gives the same answer), its description and location as that event says, and
 * undoes a delete.
 */
export function upsertJob(
  store: CatalogStore,
  namespace: string,
  name: string,
  simple: string,
  parent: JobRow | undefined,
  facets: Obj,
  time: string,
): JobRow {
  const uuid = hashUuid('job', namespace, name);
  const doc = isObj(facets['documentation']) ? str(facets['documentation']['description']) : undefined;
  const location = isObj(facets['sourceCodeLocation']) ? str(facets['sourceCodeLocation']['url']) : undefined;
  const type = isObj(facets['jobType']) && facets['jobType']['processingType'] === 'STREAMING' ? 'STREAM' : 'BATCH';
  store.run(
    `INSERT INTO jobs (uuid, namespace, name, simple_name, parent_uuid, parent_name, type, description, location, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (namespace, name) DO UPDATE SET updated_at = excluded.updated_at,
       parent_uuid = coalesce(jobs.parent_uuid, excluded.parent_uuid), parent_name = coalesce(jobs.parent_name, excluded.parent_name),
       description = excluded.description, location = excluded.location, type = excluded.type, hidden = 0`,
    uuid,
    namespace,
    name,
    simple,
    parent?.uuid ?? null,
    parent?.name ?? null,
    type,
    doc ?? null,
    location ?? null,
    time,
    time,
  );
  return { uuid, name };
}

/** Inserts a run at its first event, with that event's args; `updated_at` is the latest event's time, as in Marquez. */
function upsertRun(store: CatalogStore, uuid: string, externalId: string, jobUuid: string, time: string, args: Obj = {}): void {
  store.run(
    `INSERT INTO runs (uuid, external_id, job_uuid, args, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (uuid) DO UPDATE SET updated_at = excluded.updated_at`,
    uuid,
    externalId,
    jobUuid,
    JSON.stringify(args),
    time,
    time,
  );
}

/** A run's args as Marquez records them from its first event: the nominal times (in UTC) and the parent facet's names. */
function runArgs(e: CatalogEvent): Obj {
  const args: Obj = {};
  const nominal = e.runFacets['nominalTime'];
  if (isObj(nominal)) {
    const start = str(nominal['nominalStartTime']);
    const end = str(nominal['nominalEndTime']);
    if (start) args['nominal_start_time'] = javaDateTime(start);
    if (start && end) args['nominal_end_time'] = javaDateTime(end);
  }
  const parent = e.runFacets['parent'] ?? e.runFacets['parentRun'];
  if (isObj(parent) && isObj(parent['run']) && isObj(parent['job'])) {
    args['run_id'] = String(parent['run']['runId']);
    args['name'] = String(parent['job']['name']);
    args['namespace'] = String(parent['job']['namespace']);
  }
  return args;
}

/** Appends a state and recomputes the run's state from its latest event by event time (extension: Marquez uses arrival). */
function recordState(store: CatalogStore, uuid: string, state: string, time: string): void {
  store.run('INSERT INTO run_states (run_uuid, state, event_time) VALUES (?, ?, ?)', uuid, state, time);
  const s = store.get<{ latest: string; started: string | null; ended: string | null }>(
    `SELECT (SELECT state FROM run_states WHERE run_uuid = ?1 ORDER BY event_time DESC, seq DESC LIMIT 1) AS latest,
            (SELECT max(event_time) FROM run_states WHERE run_uuid = ?1 AND state = 'RUNNING') AS started,
            (SELECT max(event_time) FROM run_states WHERE run_uuid = ?1 AND state IN ('COMPLETED', 'FAILED', 'ABORTED')) AS ended`,
    uuid,
  )!;
  store.run(
    'UPDATE runs SET state = ?, arrival_state = ?, started_at = ?, ended_at = ? WHERE uuid = ?',
    s.latest,
    state,
    s.started,
    TERMINAL.has(s.latest) ? s.ended : null,
    uuid,
  );
}

/** Resolves the parent facet to the parent job, creating a placeholder job and run when the parent is not known yet. */
function parentJob(
  store: CatalogStore,
  e: CatalogEvent,
  childNamespace: string,
  childState: string | undefined,
): { job: JobRow; runUuid: string } | undefined {
  const facet = e.runFacets['parent'] ?? e.runFacets['parentRun'];
  if (!isObj(facet) || !isObj(facet['job']) || !isObj(facet['run'])) return undefined;
  const pNamespace = sanitizeJobNamespace(String(facet['job']['namespace']));
  let pName = String(facet['job']['name']);
  const pRunId = String(facet['run']['runId']);
  // Airflow legacy: a parent named like the child is the child minus its last segment.
  if (pName === e.job!.name && pName.includes('.')) pName = pName.slice(0, pName.lastIndexOf('.'));
  let pRunUuid = isUuid(pRunId) ? pRunId.toLowerCase() : nameUuid(`${pNamespace}:${pName}:${pRunId}`);
  const existing = store.get<{ uuid: string; namespace: string; name: string }>(
    'SELECT j.uuid, j.namespace, j.name FROM runs r JOIN jobs j ON j.uuid = r.job_uuid WHERE r.uuid = ?',
    pRunUuid,
  );
  if (existing && existing.namespace === pNamespace && existing.name === pName) return { job: existing, runUuid: pRunUuid };
  // A run id clash with another job: mint a new id for the parent run, as Marquez does.
  if (existing) pRunUuid = nameUuid(`${pNamespace}:${pName}:${pRunId}`);
  const known = store.get<JobRow>('SELECT uuid, name FROM jobs WHERE namespace = ? AND name = ?', childNamespace, pName);
  const job = known ?? upsertJob(store, childNamespace, pName, pName, undefined, {}, e.eventTime);
  if (!store.get('SELECT 1 AS x FROM runs WHERE uuid = ?', pRunUuid)) {
    upsertRun(store, pRunUuid, pRunId, job.uuid, e.eventTime);
    if (childState !== undefined) recordState(store, pRunUuid, childState, e.eventTime);
  }
  return { job, runUuid: pRunUuid };
}

function datasetProperties(ds: IngestDataset): {
  source: string;
  fields: unknown[] | undefined;
  description: string | undefined;
  lifecycle: string | undefined;
} {
  const f = ds.facets;
  const source = isObj(f['dataSource']) ? (str(f['dataSource']['name']) ?? str(f['dataSource']['uri']) ?? 'default') : 'default';
  const fields = isObj(f['schema']) && Array.isArray(f['schema']['fields']) ? f['schema']['fields'] : undefined;
  const description = isObj(f['documentation']) ? str(f['documentation']['description']) : undefined;
  const lifecycle = isObj(f['lifecycleStateChange']) ? str(f['lifecycleStateChange']['lifecycleStateChange']) : undefined;
  return { source, fields, description, lifecycle };
}

/**
 * Upserts a dataset (and its namespace and source); returns its uuid. As in Marquez: the source is the one of its first
 * mention, description and DROP state are the latest mention's, and a mention undoes a delete. `fields` keeps the
 * latest schema seen (column lineage checks input fields against it); what a read shows is the current version's.
 */
export function upsertDataset(store: CatalogStore, ds: IngestDataset, time: string): string {
  upsertNamespace(store, ds.namespace, time);
  const uuid = hashUuid('dataset', ds.namespace, ds.name); // as for jobs, the uuid is a hash of the name
  const p = datasetProperties(ds);
  store.run('INSERT INTO sources (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', p.source, time);
  store.run(
    `INSERT INTO datasets (uuid, namespace, name, source_name, description, fields, lifecycle_state, deleted, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (namespace, name) DO UPDATE SET updated_at = excluded.updated_at, description = excluded.description,
       fields = CASE WHEN ? THEN excluded.fields ELSE datasets.fields END,
       lifecycle_state = coalesce(excluded.lifecycle_state, datasets.lifecycle_state), deleted = excluded.deleted, hidden = 0`,
    uuid,
    ds.namespace,
    ds.name,
    p.source,
    p.description ?? null,
    JSON.stringify(p.fields ?? []),
    p.lifecycle ?? null,
    p.lifecycle?.toUpperCase() === 'DROP' ? 1 : 0,
    time,
    time,
    p.fields === undefined ? 0 : 1,
  );
  return uuid;
}

/** Inserts a dataset version when new; returns its uuid (a hash of the dataset's content identity and the run). */
export function ensureDatasetVersion(
  store: CatalogStore,
  datasetUuid: string,
  ds: IngestDataset,
  run: string | null,
  time: string,
): string {
  const p = datasetProperties(ds);
  const uuid = hashUuid('dsv', ds.namespace, p.source, ds.name, p.fields ?? [], p.lifecycle ?? '', run);
  const label = isObj(ds.facets['version']) ? str(ds.facets['version']['datasetVersion']) : undefined;
  const fields = JSON.stringify(p.fields ?? []);
  store.run(
    `INSERT INTO dataset_versions (uuid, dataset_uuid, run_uuid, version_label, fields, mapped_fields, lifecycle_state, created_at)
     VALUES (?, ?, ?, ?, ?, ?5, ?, ?) ON CONFLICT (uuid) DO UPDATE SET version_label = coalesce(excluded.version_label, version_label)`,
    uuid,
    datasetUuid,
    run,
    label ?? null,
    fields,
    p.lifecycle ?? '',
    time,
  );
  return uuid;
}

/**
 * Maps a mention's schema fields to a version it did not create (an input read the dataset's current version), as
 * Marquez does: the dataset then shows those fields too, while the version keeps the fields it was written with.
 */
function mapFields(store: CatalogStore, version: string, ds: IngestDataset): void {
  const fields = datasetProperties(ds).fields;
  if (!fields || fields.length === 0) return;
  const row = store.get<{ mapped_fields: string }>('SELECT mapped_fields FROM dataset_versions WHERE uuid = ?', version);
  if (!row) return;
  const mapped = JSON.parse(row.mapped_fields) as Obj[];
  const names = new Set(mapped.map((f) => f['name']));
  const added = (fields as Obj[]).filter((f) => isObj(f) && !names.has(f['name']));
  if (added.length > 0)
    store.run('UPDATE dataset_versions SET mapped_fields = ? WHERE uuid = ?', JSON.stringify([...mapped, ...added]), version);
}

/** Applies one validated RunEvent to the model (the caller holds the transaction). */
export function ingestRunEvent(store: CatalogStore, e: CatalogEvent): string {
  const t = e.eventTime;
  const namespace = sanitizeJobNamespace(e.job!.namespace);
  upsertNamespace(store, namespace, t);
  const state = e.eventType === undefined ? undefined : RUN_STATE[e.eventType];
  const parent = parentJob(store, e, namespace, state);
  let name = e.job!.name;
  let simple = name;
  if (parent) {
    simple = name.startsWith(`${parent.job.name}.`) ? name.slice(parent.job.name.length + 1) : name;
    name = `${parent.job.name}.${simple}`;
  }
  const job = upsertJob(store, namespace, name, simple, parent?.job, e.job!.facets, t);
  const run = runUuid(e.runId!);
  upsertRun(store, run, e.runId!, job.uuid, t, runArgs(e));
  const nominal = e.runFacets['nominalTime'];
  if (isObj(nominal)) {
    const start = str(nominal['nominalStartTime']);
    const end = str(nominal['nominalEndTime']);
    store.run(
      'UPDATE runs SET nominal_start = coalesce(?, nominal_start), nominal_end = coalesce(?, nominal_end) WHERE uuid = ?',
      (start && storedTime(start)) ?? null,
      (end && storedTime(end)) ?? null,
      run,
    );
  }
  if (state !== undefined) recordState(store, run, state, t);
  store.putFacets(`run:${run}`, e.runFacets, t);
  store.putFacets(`runjob:${run}`, e.job!.facets, t);
  for (const input of e.inputs) {
    const ds = upsertDataset(store, input, t);
    const { version, created } = recordInputVersion(
      store,
      run,
      ds,
      input,
      t,
      (current) => current ?? ensureDatasetVersion(store, ds, input, null, t),
    );
    if (!created) mapFields(store, version, input);
    store.putFacets(`dsv:${version}`, { ...input.facets, ...input.ioFacets }, t);
    store.putFacets(`in:${run}:${ds}`, input.ioFacets, t);
  }
  for (const output of e.outputs) {
    const ds = upsertDataset(store, output, t);
    const version = ensureDatasetVersion(store, ds, output, run, t);
    store.run(
      `INSERT INTO run_io (run_uuid, dataset_uuid, direction, version_uuid) VALUES (?, ?, 'out', ?)
       ON CONFLICT (run_uuid, dataset_uuid, direction) DO UPDATE SET version_uuid = excluded.version_uuid`,
      run,
      ds,
      version,
    );
    store.putFacets(`dsv:${version}`, output.facets, t);
    store.putFacets(`out:${run}:${ds}`, output.ioFacets, t);
    writeColumnLineage(store, run, version, output);
  }
  // Streaming jobs get a job version and publish their outputs on every event that names datasets (Marquez: "they
  // produce output before completing"); batch jobs on the terminal event, publishing only on COMPLETE.
  const streaming = isObj(e.job!.facets['jobType']) && String(e.job!.facets['jobType']['processingType']).toUpperCase() === 'STREAMING';
  if (streaming) {
    if (e.inputs.length + e.outputs.length > 0) {
      versionJob(store, run, job.uuid, namespace, name, t);
      publishOutputs(store, run, t);
    }
  } else if (state !== undefined && TERMINAL.has(state)) {
    versionJob(store, run, job.uuid, namespace, name, t);
    if (state === 'COMPLETED') publishOutputs(store, run, t);
  }
  return run;
}

/** The job version over everything the run read and wrote so far becomes the job's current one. */
function versionJob(store: CatalogStore, run: string, jobUuid: string, namespace: string, name: string, t: string): void {
  const io = store.all<{ dataset_uuid: string; direction: string }>(
    'SELECT dataset_uuid, direction FROM run_io WHERE run_uuid = ? ORDER BY direction, dataset_uuid',
    run,
  );
  const location = store.get<{ location: string | null }>('SELECT location FROM jobs WHERE uuid = ?', jobUuid)!.location;
  const ids = (dir: string) => io.filter((r) => r.direction === dir).map((r) => r.dataset_uuid);
  const version = hashUuid('jobv', namespace, name, ids('in'), ids('out'), location);
  store.run('INSERT OR IGNORE INTO job_versions (uuid, job_uuid, run_uuid, created_at) VALUES (?, ?, ?, ?)', version, jobUuid, run, t);
  for (const r of io)
    store.run(
      'INSERT OR IGNORE INTO job_version_io (version_uuid, dataset_uuid, direction) VALUES (?, ?, ?)',
      version,
      r.dataset_uuid,
      r.direction,
    );
  store.run('UPDATE jobs SET current_version = ? WHERE uuid = ?', version, jobUuid);
  store.run('UPDATE runs SET job_version = ? WHERE uuid = ?', version, run);
}

/** The run's output versions become their datasets' current versions. */
function publishOutputs(store: CatalogStore, run: string, t: string): void {
  for (const r of store.all<{ dataset_uuid: string; version_uuid: string }>(
    `SELECT dataset_uuid, version_uuid FROM run_io WHERE run_uuid = ? AND direction = 'out'`,
    run,
  )) {
    store.run('UPDATE datasets SET current_version = ?, last_modified_at = ? WHERE uuid = ?', r.version_uuid, t, r.dataset_uuid);
  }
}
