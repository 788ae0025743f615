import type { CatalogStore } from './catalog-store.ts';
import { datasetNodeId, jobNodeId, parseNodeId } from './names.ts';
import { DATASET_ROWS, datasetViews } from './dataset-views.ts';
import type { DatasetRecord } from './dataset-views.ts';
import { jobViews } from './read-models.ts';
import type { JobRecord } from './read-models.ts';
import type { GraphEdge, LineageGraph, LineageNode } from '../marquez/api.ts';

/** Which way to walk: Marquez's undirected neighbourhood, or (extension) strictly upstream or downstream. */
export type LineageDirection = 'both' | 'upstream' | 'downstream';

/** Why there is no lineage answer (the HTTP layer turns it into 400/404). */
export type GraphFailure = { error: 400 | 404; message: string };

/** A lineage answer, or why there is none. */
export type GraphResult<Graph> = Graph | GraphFailure;

type IoRow = { job_uuid: string; dataset_uuid: string; direction: string };

const IN = 'IN (SELECT value FROM json_each(?))';

// The current IO (edges of the current version) of many jobs, or of the jobs that read or write many datasets.
function ioOfJobs(store: CatalogStore, jobUuids: readonly string[]): IoRow[] {
  if (jobUuids.length === 0) return [];
  return store.all<IoRow>(
    `SELECT j.uuid AS job_uuid, v.dataset_uuid, v.direction FROM jobs j JOIN job_version_io v ON v.version_uuid = j.current_version WHERE j.uuid ${IN}`,
    JSON.stringify(jobUuids),
  );
}

function ioOfDatasets(store: CatalogStore, datasetUuids: readonly string[], direction?: 'in' | 'out'): IoRow[] {
  if (datasetUuids.length === 0) return [];
  return store.all<IoRow>(
    `SELECT j.uuid AS job_uuid, v.dataset_uuid, v.direction FROM job_version_io v JOIN jobs j ON j.current_version = v.version_uuid
     WHERE v.dataset_uuid ${IN} AND (?2 IS NULL OR v.direction = ?2)`,
    JSON.stringify(datasetUuids),
    direction ?? null,
  );
}

// As Marquez: the job of the latest version (of any job, deleted or not) that wrote the dataset, else read it.
function seedJob(store: CatalogStore, datasetUuid: string): string | undefined {
  const row = store.get<{ job_uuid: string }>(
    `SELECT jv.job_uuid FROM job_version_io v JOIN job_versions jv ON jv.uuid = v.version_uuid
     WHERE v.dataset_uuid = ? ORDER BY (v.direction = 'out') DESC, jv.created_at DESC, jv.rowid DESC LIMIT 1`,
    datasetUuid,
  );
  return row?.job_uuid;
}

/** `/lineage?nodeId&depth`: Marquez's undirected job-hop neighbourhood, or a directed walk (extension `direction`). */
export function lineageGraph(
  store: CatalogStore,
  nodeId: string,
  depth: number,
  direction: LineageDirection = 'both',
): GraphResult<LineageGraph> {
  const node = parseNodeId(nodeId);
  if (!node || (node.type !== 'JOB' && node.type !== 'DATASET'))
    return {
      error: 400,
      message: `nodeId: expected job:<namespace>:<name> or dataset:<namespace>:<name>, got ${JSON.stringify(nodeId.slice(0, 200))}`,
    };
  const jobs = new Set<string>();
  const datasets = new Set<string>();
  let frontier: string[] = [];
  if (node.type === 'JOB') {
    const job = store.get<{ uuid: string }>(
      'SELECT uuid FROM jobs WHERE namespace = ? AND name = ? AND hidden = 0',
      node.namespace,
      node.name,
    );
    if (!job) return { error: 404, message: `job ${node.namespace}:${node.name} not found` };
    frontier = [job.uuid];
  } else {
    const ds = store.get<{ uuid: string }>(
      'SELECT uuid FROM datasets WHERE namespace = ? AND name = ? AND hidden = 0',
      node.namespace,
      node.name,
    );
    if (!ds) return { error: 404, message: `dataset ${node.namespace}:${node.name} not found` };
    datasets.add(ds.uuid);
    if (direction === 'both') {
      const seed = seedJob(store, ds.uuid);
      frontier = seed ? [seed] : [];
    } else {
      const toward = direction === 'upstream' ? 'out' : 'in';
      frontier = ioOfDatasets(store, [ds.uuid], toward).map((r) => r.job_uuid);
      depth = Math.max(depth, 1);
    }
  }
  // Each hop adds jobs; depth counts job hops as Marquez does (the seed is hop 0). One query per hop and direction.
  const expanded = new Set<string>();
  const edges: IoRow[] = []; // the current IO of every job in the graph, read once as the walk adds the job
  for (let hop = 0; frontier.length > 0 && hop <= depth; hop += 1) {
    const added = [...new Set(frontier)].filter((job) => !jobs.has(job));
    for (const job of added) jobs.add(job);
    const reached: string[] = [];
    for (const r of ioOfJobs(store, added)) {
      edges.push(r); // one by one: a spread of a hop's rows can exceed the engine's argument limit on large graphs
      if (direction === 'upstream' && r.direction !== 'in') continue;
      if (direction === 'downstream' && r.direction !== 'out') continue;
      datasets.add(r.dataset_uuid);
      if (!expanded.has(r.dataset_uuid)) reached.push(r.dataset_uuid);
      expanded.add(r.dataset_uuid);
    }
    if (hop === depth) break;
    const toward = direction === 'upstream' ? 'out' : direction === 'downstream' ? 'in' : undefined;
    frontier = ioOfDatasets(store, reached, toward)
      .map((r) => r.job_uuid)
      .filter((job) => !jobs.has(job));
  }
  // The walk goes through deleted jobs and datasets, as Marquez's does; the answer leaves them out, with their edges.
  // Deleted rows are few, and a partial index lists them.
  const deleted = store.all<{ uuid: string; ref: string | null }>(
    `SELECT uuid, NULL AS ref FROM jobs WHERE hidden = 1 UNION ALL SELECT uuid, namespace || char(0) || name FROM datasets WHERE hidden = 1`,
  );
  const hidden = new Set(deleted.map((r) => r.uuid));
  const hiddenRefs = new Set(deleted.flatMap((r) => (r.ref === null ? [] : [r.ref])));
  const shown = edges.filter((r) => !hidden.has(r.job_uuid) && !hidden.has(r.dataset_uuid));
  const seed = node.type === 'DATASET' ? [...datasets][0]! : undefined;
  const visibleJobs = new Set([...jobs].filter((j) => !hidden.has(j)));
  const visibleDatasets = new Set(
    direction === 'both' ? shown.map((r) => r.dataset_uuid) : [...datasets].filter((d) => !hidden.has(d) && d !== seed),
  );
  // A dataset no shown job reads or writes any more is answered alone, as Marquez does.
  if (seed !== undefined && !visibleDatasets.has(seed)) {
    if (direction === 'both' || visibleJobs.size === 0) return { graph: buildGraph(store, new Set(), new Set([seed]), [], hiddenRefs) };
    visibleDatasets.add(seed);
  }
  return { graph: buildGraph(store, visibleJobs, visibleDatasets, shown, hiddenRefs) };
}

function buildGraph(store: CatalogStore, jobs: Set<string>, datasets: Set<string>, io: IoRow[], hiddenRefs: Set<string>): LineageNode[] {
  const nodes = new Map<string, LineageNode>();
  const ids = new Map<string, string>();
  const jobRows = store.all<JobRecord>(`SELECT * FROM jobs WHERE uuid ${IN}`, JSON.stringify([...jobs]));
  const datasetRows = store.all<DatasetRecord>(`${DATASET_ROWS} WHERE d.uuid ${IN}`, JSON.stringify([...datasets]));
  const shown = (r: { namespace: string; name: string }) => !hiddenRefs.has(`${r.namespace}\u0000${r.name}`);
  jobViews(store, jobRows, 'node').forEach((data, i) => {
    const j = jobRows[i]!;
    const id = jobNodeId(j.namespace, j.name);
    ids.set(j.uuid, id);
    // A job node leaves a deleted dataset out of its inputs and outputs, as in Marquez (deleted rows are few).
    const node = hiddenRefs.size === 0 ? data : { ...data, inputs: data.inputs.filter(shown), outputs: data.outputs.filter(shown) };
    nodes.set(id, { id, type: 'JOB', data: node, inEdges: [], outEdges: [] });
  });
  datasetViews(store, datasetRows, false).forEach((data, i) => {
    const d = datasetRows[i]!;
    const id = datasetNodeId(d.namespace, d.name);
    ids.set(d.uuid, id);
    nodes.set(id, { id, type: 'DATASET', data, inEdges: [], outEdges: [] });
  });
  for (const r of io) {
    if (!datasets.has(r.dataset_uuid) || !jobs.has(r.job_uuid)) continue;
    const jobId = ids.get(r.job_uuid)!;
    const dsId = ids.get(r.dataset_uuid)!;
    const edge = r.direction === 'in' ? { origin: dsId, destination: jobId } : { origin: jobId, destination: dsId };
    nodes.get(edge.origin)!.outEdges.push(edge);
    nodes.get(edge.destination)!.inEdges.push(edge);
  }
  const key = (e: GraphEdge) => e.origin + e.destination;
  const sortEdges = (edges: GraphEdge[]) => edges.sort((a, b) => (key(a) < key(b) ? -1 : 1));
  return [...nodes.values()]
    .map((n) => ({ ...n, inEdges: sortEdges(n.inEdges), outEdges: sortEdges(n.outEdges) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
