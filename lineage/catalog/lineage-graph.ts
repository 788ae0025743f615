import type { CatalogStore } from './catalog-store.ts';
import { datasetNodeId, jobNodeId, parseNodeId } from './names.ts';
import { datasetView, jobView } from './read-models.ts';
import type { DatasetRecord, JobRecord } from './read-models.ts';

type Obj = Record<string, unknown>;
type Edge = { origin: string; destination: string };
type GraphNode = { id: string; type: string; data: Obj; inEdges: Edge[]; outEdges: Edge[] };

/** Which way to walk: Marquez's undirected neighbourhood, or (extension) strictly upstream or downstream. */
export type LineageDirection = 'both' | 'upstream' | 'downstream';

/** A lineage answer, or why there is none (the HTTP layer turns it into 400/404). */
export type GraphResult = { graph: GraphNode[] } | { error: 400 | 404; message: string };

type IoRow = { job_uuid: string; dataset_uuid: string; direction: string };

// Current IO of every job (edges of each job's current version).
function currentIo(store: CatalogStore, where: string, ...params: string[]): IoRow[] {
  return store.all<IoRow>(
    `SELECT j.uuid AS job_uuid, v.dataset_uuid, v.direction FROM jobs j JOIN job_version_io v ON v.version_uuid = j.current_version WHERE ${where}`,
    ...params,
  );
}

function seedJob(store: CatalogStore, datasetUuid: string): string | undefined {
  const row = store.get<{ job_uuid: string }>(
    `SELECT j.uuid AS job_uuid FROM jobs j JOIN job_version_io v ON v.version_uuid = j.current_version JOIN job_versions jv ON jv.uuid = j.current_version
     WHERE v.dataset_uuid = ? ORDER BY (v.direction = 'out') DESC, jv.created_at DESC LIMIT 1`,
    datasetUuid,
  );
  return row?.job_uuid;
}

/** `/lineage?nodeId&depth`: Marquez's undirected job-hop neighbourhood, or a directed walk (extension `direction`). */
export function lineageGraph(store: CatalogStore, nodeId: string, depth: number, direction: LineageDirection = 'both'): GraphResult {
  const node = parseNodeId(nodeId);
  if (!node || (node.type !== 'JOB' && node.type !== 'DATASET')) return { error: 400, message: `nodeId: expected job:<namespace>:<name> or dataset:<namespace>:<name>, got ${JSON.stringify(nodeId.slice(0, 200))}` };
  const jobs = new Set<string>();
  const datasets = new Set<string>();
  let frontier: string[] = [];
  if (node.type === 'JOB') {
    const job = store.get<{ uuid: string }>('SELECT uuid FROM jobs WHERE namespace = ? AND name = ?', node.namespace, node.name);
    if (!job) return { error: 404, message: `job ${node.namespace}:${node.name} not found` };
    frontier = [job.uuid];
  } else {
    const ds = store.get<{ uuid: string }>('SELECT uuid FROM datasets WHERE namespace = ? AND name = ?', node.namespace, node.name);
    if (!ds) return { error: 404, message: `dataset ${node.namespace}:${node.name} not found` };
    datasets.add(ds.uuid);
    if (direction === 'both') {
      const seed = seedJob(store, ds.uuid);
      frontier = seed ? [seed] : [];
    } else {
      const toward = direction === 'upstream' ? 'out' : 'in';
      frontier = currentIo(store, 'v.dataset_uuid = ? AND v.direction = ?', ds.uuid, toward).map((r) => r.job_uuid);
      depth = Math.max(depth, 1);
    }
  }
  // Each hop adds jobs; depth counts job hops as Marquez does (the seed is hop 0).
  for (let hop = 0; frontier.length > 0 && hop <= depth; hop += 1) {
    const next: string[] = [];
    for (const job of frontier) {
      if (jobs.has(job)) continue;
      jobs.add(job);
      const io = currentIo(store, 'j.uuid = ?', job);
      for (const r of io) {
        if (direction === 'upstream' && r.direction !== 'in') continue;
        if (direction === 'downstream' && r.direction !== 'out') continue;
        datasets.add(r.dataset_uuid);
        if (hop === depth) continue;
        const toward = direction === 'upstream' ? "v.direction = 'out'" : direction === 'downstream' ? "v.direction = 'in'" : '1 = 1';
        for (const n of currentIo(store, `v.dataset_uuid = ? AND ${toward}`, r.dataset_uuid)) if (!jobs.has(n.job_uuid)) next.push(n.job_uuid);
      }
    }
    frontier = next;
  }
  if (direction === 'both') for (const job of jobs) for (const r of currentIo(store, 'j.uuid = ?', job)) datasets.add(r.dataset_uuid);
  return { graph: buildGraph(store, jobs, datasets) };
}

function buildGraph(store: CatalogStore, jobs: Set<string>, datasets: Set<string>): GraphNode[] {
  const nodes = new Map<string, GraphNode>();
  const ids = new Map<string, string>();
  for (const uuid of jobs) {
    const j = store.get<JobRecord>('SELECT * FROM jobs WHERE uuid = ?', uuid)!;
    const id = jobNodeId(j.namespace, j.name);
    ids.set(uuid, id);
    nodes.set(id, { id, type: 'JOB', data: jobView(store, j, false), inEdges: [], outEdges: [] });
  }
  for (const uuid of datasets) {
    const d = store.get<DatasetRecord>('SELECT * FROM datasets WHERE uuid = ?', uuid)!;
    const id = datasetNodeId(d.namespace, d.name);
    ids.set(uuid, id);
    nodes.set(id, { id, type: 'DATASET', data: datasetView(store, d, false), inEdges: [], outEdges: [] });
  }
  for (const job of jobs) {
    for (const r of currentIo(store, 'j.uuid = ?', job)) {
      if (!datasets.has(r.dataset_uuid)) continue;
      const jobId = ids.get(job)!;
      const dsId = ids.get(r.dataset_uuid)!;
      const edge = r.direction === 'in' ? { origin: dsId, destination: jobId } : { origin: jobId, destination: dsId };
      nodes.get(edge.origin)!.outEdges.push(edge);
      nodes.get(edge.destination)!.inEdges.push(edge);
    }
  }
  const sortEdges = (edges: Edge[]) => edges.sort((a, b) => (a.origin + a.destination < b.origin + b.destination ? -1 : 1));
  return [...nodes.values()]
    .map((n) => ({ ...n, inEdges: sortEdges(n.inEdges), outEdges: sortEdges(n.outEdges) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
