import { setOwn, type CatalogStore } from './catalog-store.ts';
import { epochMs, marquezTime } from './times.ts';
import { IN, allTags, facetsOf, groupBy, keys } from './view-queries.ts';
import type { Facets } from './view-queries.ts';
import type { Job, JobNodeData, JobSummary, NodeRef, Run, RunDatasetVersion, RunState } from '../marquez/api.ts';

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
  hidden: number;
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
    // Whole milliseconds between instants cut to milliseconds, as Marquez computes it.
    const durationMs = r.started_at && r.ended_at ? epochMs(r.ended_at) - epochMs(r.started_at) : null;
    out.set(r.uuid, {
      id: r.uuid,
      createdAt: marquezTime(r.created_at),
      updatedAt: marquezTime(r.updated_at),
      nominalStartTime: marquezTime(r.nominal_start),
      nominalEndTime: marquezTime(r.nominal_end),
      state: r.state,
      startedAt: marquezTime(r.started_at),
      endedAt: marquezTime(r.ended_at),
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

/** Which Job answer: a list entry, a job read on its own, or a lineage node's `data` (no facets, tags or latest runs). */
export type JobViewKind = 'list' | 'job' | 'node';

/** The job facets behind each job's current version: its runs' (later events winning), or a declaring JobEvent's. */
function currentVersionFacets(store: CatalogStore, rows: readonly JobRecord[], kind: JobViewKind): Map<string, Facets> {
  const versions = rows.flatMap((j) => (j.current_version ? [j.current_version] : []));
  // A list entry reads the facets of the version's latest run only; a job read on its own, those of all its runs.
  const runs = store.all<{ job_version: string; uuid: string }>(
    `SELECT job_version, uuid FROM (SELECT job_version, uuid, row_number() OVER (PARTITION BY job_version ORDER BY updated_at DESC, rowid DESC) AS n
     FROM runs WHERE job_version ${IN}) WHERE ? = 0 OR n = 1`,
    keys(versions),
    kind === 'list' ? 1 : 0,
  );
  // A run-less version (a JobEvent's) has its declaring event's facets, which only a job read on its own shows.
  const owners = [...runs.map((r) => `runjob:${r.uuid}`), ...(kind === 'list' ? [] : versions.map((v) => `jobv:${v}`))];
  const ownerOf = new Map<string, string>(runs.map((r) => [`runjob:${r.uuid}`, r.job_version]));
  const out = new Map<string, Facets>();
  for (const r of store.all<{ owner: string; name: string; body: string }>(
    `SELECT owner, name, body FROM facets WHERE owner ${IN} ORDER BY event_time, rowid`,
    keys(owners),
  )) {
    const version = ownerOf.get(r.owner) ?? r.owner.slice('jobv:'.length);
    const facets = out.get(version) ?? {};
    setOwn(facets, r.name, JSON.parse(r.body) as Facets[string]);
    out.set(version, facets);
  }
  return out;
}

/** Marquez's job `labels`: the current facets' job type and integration. */
function labelsOf(facets: Facets): string[] {
  const jobType = facets['jobType'];
  if (!jobType) return [];
  return [jobType['jobType'], jobType['integration']].filter((v) => v !== undefined && v !== null).map(String);
}

/** Marquez's `Job` for each row, in order, as a list entry, a job read on its own, or a lineage node's `data`. */
export function jobViews(store: CatalogStore, rows: readonly JobRecord[], kind?: 'list' | 'job'): Job[];
export function jobViews(store: CatalogStore, rows: readonly JobRecord[], kind: 'node'): JobNodeData[];
export function jobViews(store: CatalogStore, rows: readonly JobRecord[], kind: JobViewKind = 'job'): (Job | JobNodeData)[] {
  const jobKeys = keys(rows.map((j) => j.uuid));
  // Latest runs by their last state change (the latest event received), then start, as Marquez orders them.
  const latest = groupBy(
    store.all<{ job_uuid: string; uuid: string }>(
      `SELECT job_uuid, uuid FROM (SELECT job_uuid, uuid,
         row_number() OVER (PARTITION BY job_uuid ORDER BY updated_at DESC, started_at DESC, rowid DESC) AS n
       FROM runs WHERE job_uuid ${IN}) WHERE n <= ? ORDER BY job_uuid, n`,
      jobKeys,
      kind === 'node' ? 1 : 10,
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
       WHERE v.version_uuid ${IN} AND d.hidden = 0`,
      keys(rows.flatMap((j) => (j.current_version ? [j.current_version] : []))),
    ),
    (r) => `${r.direction}:${r.version_uuid}`,
  );
  // Sorted per job (a few rows each) rather than in SQL over all of them.
  const byName = (a: NodeRef, b: NodeRef) =>
    a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  const versionIo = (version: string | null, dir: string): NodeRef[] =>
    (io.get(`${dir}:${version}`) ?? []).map((r) => ({ namespace: r.namespace, name: r.name })).sort(byName);
  const runIo = (run: Run | null, dir: 'in' | 'out'): NodeRef[] =>
    (run ? (dir === 'in' ? run.inputDatasetVersions : run.outputDatasetVersions) : [])
      .map((v) => ({ namespace: v.datasetVersionId.namespace, name: v.datasetVersionId.name }))
      .sort(byName);
  // Marquez: a list entry shows what the latest run read and wrote; a job read on its own, its current version's IO
  // (the latest run's where the version has none); a lineage node, the current version's. A deleted dataset is left
  // out of a version's IO, not out of a run's.
  const ioOf = (j: JobRecord, run: Run | null, dir: 'in' | 'out'): NodeRef[] => {
    if (kind === 'node') return versionIo(j.current_version, dir);
    if (kind === 'list') return runIo(run, dir);
    const declared = versionIo(j.current_version, dir);
    return declared.length > 0 ? declared : runIo(run, dir);
  };
  const facets = kind === 'node' ? new Map<string, Facets>() : currentVersionFacets(store, rows, kind);
  const tagsByOwner = kind === 'node' ? new Map<string, string[]>() : allTags(store);
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
      createdAt: marquezTime(j.created_at),
      updatedAt: marquezTime(j.updated_at),
      namespace: j.namespace,
      inputs: ioOf(j, latestRun, 'in'),
      outputs: ioOf(j, latestRun, 'out'),
      location: j.location,
      description: j.description,
      latestRun,
    };
    if (kind === 'node') return { ...base, currentRunUuid: latestRun ? latestRun.id : null };
    const current = (j.current_version && facets.get(j.current_version)) || {};
    return {
      ...base,
      latestRuns: latestRuns.length > 0 ? latestRuns : null,
      facets: current,
      currentVersion: j.current_version,
      labels: labelsOf(current),
      tags: tagsByOwner.get(`job:${j.uuid}`) ?? [],
    };
  });
}

/** Marquez's `Job`, read on its own. */
export function jobView(store: CatalogStore, j: JobRecord): Job {
  return jobViews(store, [j], 'job')[0]!;
}
