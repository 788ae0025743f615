import type { CatalogStore } from './catalog-store.ts';
import { columnLineageGraph } from './column-lineage.ts';
import { HttpError, intParam } from './http-body.ts';
import { lineageGraph } from './lineage-graph.ts';
import type { GraphFailure, GraphResult, LineageDirection } from './lineage-graph.ts';
import { datasetNodeId, jobNodeId } from './names.ts';
import { DATASET_ROWS, datasetVersionView, datasetView } from './dataset-views.ts';
import type { DatasetRecord } from './dataset-views.ts';
import { jobViews, jobView, runView } from './read-models.ts';
import type { JobRecord } from './read-models.ts';
import { marquezTime, storedTime } from './times.ts';
import { runLineage } from './run-lineage.ts';
import type { LineageEvent } from '../client/event.ts';
import type {
  ColumnLineageGraph,
  Dataset,
  DatasetList,
  IntervalStats,
  LineageEventStats,
  DatasetVersion,
  DatasetVersionList,
  Job,
  JobList,
  LineageEventList,
  LineageGraph,
  Namespace,
  NamespaceList,
  Run,
  RunFacetsAnswer,
  RunLineage,
  RunList,
  SearchResult,
  SearchResultList,
  Tag,
  TagList,
} from '../marquez/api.ts';

/** The JSON body of a successful read. */
export type ReadAnswer =
  | NamespaceList
  | Namespace
  | JobList
  | Job
  | RunList
  | Run
  | RunFacetsAnswer
  | DatasetList
  | Dataset
  | DatasetVersionList
  | DatasetVersion
  | LineageGraph
  | ColumnLineageGraph
  | RunLineage
  | SearchResultList
  | LineageEventList
  | TagList
  | LineageEventStats[]
  | IntervalStats[];

/** A read handler: path segments after the prefix, the query; returns the JSON body (200), undefined for an empty 200. */
export type ReadHandler = (store: CatalogStore, params: string[], query: URLSearchParams) => ReadAnswer | undefined;

const page = (q: URLSearchParams) => ({ limit: intParam(q, 'limit', 100), offset: intParam(q, 'offset', 0) });

/** The job row or a 404 (a deleted job is not found, as in Marquez). */
export function job(store: CatalogStore, ns: string, name: string): JobRecord {
  const j = store.get<JobRecord>('SELECT * FROM jobs WHERE namespace = ? AND name = ? AND hidden = 0', ns, name);
  if (!j) throw new HttpError(404, `job ${JSON.stringify(name.slice(0, 200))} not found in namespace ${JSON.stringify(ns.slice(0, 200))}`);
  return j;
}

/** The dataset row or a 404 (a deleted dataset is not found, as in Marquez). */
export function dataset(store: CatalogStore, ns: string, name: string): DatasetRecord {
  const d = store.get<DatasetRecord>(`${DATASET_ROWS} WHERE d.namespace = ? AND d.name = ? AND d.hidden = 0`, ns, name);
  if (!d)
    throw new HttpError(404, `dataset ${JSON.stringify(name.slice(0, 200))} not found in namespace ${JSON.stringify(ns.slice(0, 200))}`);
  return d;
}

function namespaceView(r: { name: string; created_at: string; updated_at: string; owner: string; description: string | null }): Namespace {
  return {
    name: r.name,
    createdAt: marquezTime(r.created_at),
    updatedAt: marquezTime(r.updated_at),
    ownerName: r.owner,
    description: r.description,
    isHidden: false,
  };
}

const failed = (result: object): result is GraphFailure => 'error' in result;

function graph<Graph extends object>(result: GraphResult<Graph>): Graph {
  if (failed(result)) throw new HttpError(result.error, result.message);
  return result;
}

function direction(q: URLSearchParams): LineageDirection {
  const d = q.get('direction') ?? 'both';
  if (d !== 'both' && d !== 'upstream' && d !== 'downstream')
    throw new HttpError(400, `direction: expected both, upstream or downstream, got ${JSON.stringify(d.slice(0, 40))}`);
  return d;
}

const RUN_STATES = new Set(['NEW', 'RUNNING', 'COMPLETED', 'FAILED', 'ABORTED']);

// Most recently updated first, as Marquez lists jobs (ties, unordered there, by name here). The run-state filter keeps
// jobs whose own latest run is in one of the states (Marquez looks at the run its jobs table points at, which for a
// child job is the parent's, and keeps jobs without runs under every state).
function jobs(store: CatalogStore, q: URLSearchParams, ns?: string): JobList {
  const { limit, offset } = page(q);
  const states = q
    .getAll('lastRunStates')
    .flatMap((s) => s.split(','))
    .filter((s) => s !== '')
    .map((s) => s.trim().toUpperCase());
  const unknown = states.find((s) => !RUN_STATES.has(s));
  if (unknown !== undefined)
    throw new HttpError(400, `lastRunStates: expected any of ${[...RUN_STATES].join(', ')}, got ${JSON.stringify(unknown.slice(0, 40))}`);
  const where = `hidden = 0${ns === undefined ? '' : ' AND namespace = ?'}`;
  const order = 'ORDER BY updated_at DESC, namespace, name';
  const args = ns === undefined ? [] : [ns];
  if (states.length === 0) {
    const rows = store.all<JobRecord>(`SELECT * FROM jobs WHERE ${where} ${order} LIMIT ? OFFSET ?`, ...args, limit, offset);
    return {
      jobs: jobViews(store, rows, 'list'),
      totalCount: store.get<{ n: number }>(`SELECT count(*) AS n FROM jobs WHERE ${where}`, ...args)!.n,
    };
  }
  const rows = store.all<JobRecord>(
    `SELECT * FROM jobs j WHERE ${where} AND (SELECT state FROM runs r WHERE r.job_uuid = j.uuid
       ORDER BY r.updated_at DESC, r.started_at DESC, r.rowid DESC LIMIT 1) IN (SELECT value FROM json_each(?)) ${order}`,
    ...args,
    JSON.stringify(states),
  );
  return { jobs: jobViews(store, rows.slice(offset, offset + limit), 'list'), totalCount: rows.length };
}

function search(store: CatalogStore, q: URLSearchParams): SearchResultList {
  const text = q.get('q');
  if (text === null || text.trim() === '') throw new HttpError(400, 'q: expected a search text');
  const filter = q.get('filter');
  if (filter !== null && filter !== 'JOB' && filter !== 'DATASET')
    throw new HttpError(400, `filter: expected JOB or DATASET, got ${JSON.stringify(filter.slice(0, 40))}`);
  const limit = intParam(q, 'limit', 10);
  const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const results: SearchResult[] = [];
  if (filter !== 'DATASET') {
    for (const r of store.all<{ namespace: string; name: string; updated_at: string }>(
      `SELECT namespace, name, updated_at FROM jobs WHERE hidden = 0 AND name LIKE ? ESCAPE '\\' ORDER BY name`,
      like,
    )) {
      results.push({
        type: 'JOB',
        name: r.name,
        updatedAt: marquezTime(r.updated_at),
        namespace: r.namespace,
        nodeId: jobNodeId(r.namespace, r.name),
      });
    }
  }
  if (filter !== 'JOB') {
    for (const r of store.all<{ namespace: string; name: string; updated_at: string }>(
      `SELECT namespace, name, updated_at FROM datasets WHERE hidden = 0 AND name LIKE ? ESCAPE '\\' ORDER BY name`,
      like,
    )) {
      results.push({
        type: 'DATASET',
        name: r.name,
        updatedAt: marquezTime(r.updated_at),
        namespace: r.namespace,
        nodeId: datasetNodeId(r.namespace, r.name),
      });
    }
  }
  const sorted =
    q.get('sort') === 'UPDATE_AT'
      ? results.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      : results.sort((a, b) => a.name.localeCompare(b.name));
  return { totalCount: sorted.length, results: sorted.slice(0, limit) };
}

function events(store: CatalogStore, q: URLSearchParams): LineageEventList {
  const { limit, offset } = page(q);
  const time = (name: string, fallback: string) => {
    const v = q.get(name);
    if (v === null || v === '') return fallback;
    const t = storedTime(v);
    if (t === undefined) throw new HttpError(400, `${name}: expected an ISO-8601 date-time, got ${JSON.stringify(v.slice(0, 40))}`);
    return t;
  };
  const after = time('after', '1970-01-01T00:00:00.000000Z');
  const before = time('before', '2030-01-01T00:00:00.000000Z');
  const dir = (q.get('sortDirection') ?? 'desc').toLowerCase();
  if (dir !== 'asc' && dir !== 'desc')
    throw new HttpError(400, `sortDirection: expected asc or desc, got ${JSON.stringify(dir.slice(0, 40))}`);
  const rows = store.all<{ payload: string }>(
    `SELECT payload FROM lineage_events WHERE kind = 'RunEvent' AND event_time >= ? AND event_time <= ? ORDER BY event_time ${dir === 'asc' ? 'ASC' : 'DESC'}, seq ${dir === 'asc' ? 'ASC' : 'DESC'} LIMIT ? OFFSET ?`,
    after,
    before,
    limit,
    offset,
  );
  const total = store.get<{ n: number }>(
    'SELECT count(*) AS n FROM lineage_events WHERE event_time >= ? AND event_time <= ?',
    after,
    before,
  )!.n;
  return { events: rows.map((r) => JSON.parse(r.payload) as LineageEvent), totalCount: total };
}

const FACET_TYPES = new Set(['RUN', 'JOB', 'DATASET']);

// As Marquez: `type` is required (400 without), its case and spaces do not matter, DATASET and a run without facets of
// that kind answer an empty 200 (undefined here).
function runFacets(store: CatalogStore, id: string, q: URLSearchParams): RunFacetsAnswer | undefined {
  const raw = q.get('type');
  if (raw === null) throw new HttpError(400, 'type: required, one of RUN, JOB or DATASET');
  const type = raw.trim().toUpperCase();
  if (!FACET_TYPES.has(type)) throw new HttpError(400, `type: expected RUN, JOB or DATASET, got ${JSON.stringify(raw.slice(0, 40))}`);
  const run = runOr404(store, id);
  if (type === 'DATASET') return undefined;
  const facets = store.facets(`${type === 'RUN' ? 'run' : 'runjob'}:${run.id}`);
  return Object.keys(facets).length === 0 ? undefined : { runId: run.id, facets };
}

function runOr404(store: CatalogStore, id: string): Run {
  const run = runView(store, id.toLowerCase());
  if (!run) throw new HttpError(404, `run ${JSON.stringify(id.slice(0, 80))} not found`);
  return run;
}

/** GET routes: pattern (segments, `*` = one decoded parameter) → handler, in Marquez's shapes. */
export const READ_ROUTES: [string, ReadHandler][] = [
  [
    'namespaces',
    (s, _p, q) => ({
      namespaces: s
        .all<Parameters<typeof namespaceView>[0]>('SELECT * FROM namespaces ORDER BY name LIMIT ? OFFSET ?', page(q).limit, page(q).offset)
        .map(namespaceView),
    }),
  ],
  [
    'namespaces/*',
    (s, [ns]) => {
      const r = s.get<Parameters<typeof namespaceView>[0]>('SELECT * FROM namespaces WHERE name = ?', ns!);
      if (!r) throw new HttpError(404, `namespace ${JSON.stringify(ns!.slice(0, 200))} not found`);
      return namespaceView(r);
    },
  ],
  ['jobs', (s, _p, q) => jobs(s, q)],
  ['namespaces/*/jobs', (s, [ns], q) => jobs(s, q, ns)],
  ['namespaces/*/jobs/*', (s, [ns, name]) => jobView(s, job(s, ns!, name!))],
  [
    'namespaces/*/jobs/*/runs',
    (s, [ns, name], q) => {
      const j = job(s, ns!, name!);
      const { limit, offset } = page(q);
      const ids = s.all<{ uuid: string }>(
        'SELECT uuid FROM runs WHERE job_uuid = ? ORDER BY started_at IS NULL, started_at DESC, rowid DESC LIMIT ? OFFSET ?',
        j.uuid,
        limit,
        offset,
      );
      return {
        runs: ids.map((r) => runView(s, r.uuid)!),
        totalCount: s.get<{ n: number }>('SELECT count(*) AS n FROM runs WHERE job_uuid = ?', j.uuid)!.n,
      };
    },
  ],
  ['jobs/runs/*', (s, [id]) => runOr404(s, id!)],
  ['jobs/runs/*/facets', (s, [id], q) => runFacets(s, id!, q)],
  [
    'namespaces/*/datasets',
    (s, [ns], q) => {
      const { limit, offset } = page(q);
      const rows = s.all<DatasetRecord>(
        `${DATASET_ROWS} WHERE d.namespace = ? AND d.hidden = 0 ORDER BY d.name LIMIT ? OFFSET ?`,
        ns!,
        limit,
        offset,
      );
      return {
        datasets: rows.map((d) => datasetView(s, d)),
        totalCount: s.get<{ n: number }>('SELECT count(*) AS n FROM datasets WHERE namespace = ? AND hidden = 0', ns!)!.n,
      };
    },
  ],
  ['namespaces/*/datasets/*', (s, [ns, name]) => datasetView(s, dataset(s, ns!, name!))],
  [
    'namespaces/*/datasets/*/versions',
    (s, [ns, name], q) => {
      const d = dataset(s, ns!, name!);
      const { limit, offset } = page(q);
      const rows = s.all<{ uuid: string }>(
        'SELECT uuid FROM dataset_versions WHERE dataset_uuid = ? ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?',
        d.uuid,
        limit,
        offset,
      );
      return {
        versions: rows.map((v) => datasetVersionView(s, d, v.uuid)!),
        totalCount: s.get<{ n: number }>('SELECT count(*) AS n FROM dataset_versions WHERE dataset_uuid = ?', d.uuid)!.n,
      };
    },
  ],
  [
    'namespaces/*/datasets/*/versions/*',
    (s, [ns, name, v]) => {
      const view = datasetVersionView(s, dataset(s, ns!, name!), v!.toLowerCase());
      if (!view)
        throw new HttpError(404, `version ${JSON.stringify(v!.slice(0, 80))} of dataset ${JSON.stringify(name!.slice(0, 200))} not found`);
      return view;
    },
  ],
  ['lineage', (s, _p, q) => graph(lineageGraph(s, required(q, 'nodeId'), intParam(q, 'depth', 20, 100), direction(q)))],
  [
    'column-lineage',
    (s, _p, q) => graph(columnLineageGraph(s, required(q, 'nodeId'), intParam(q, 'depth', 20, 100), q.get('withDownstream') === 'true')),
  ],
  ['runlineage/upstream', (s, _p, q) => runLineageOr404(s, required(q, 'runId'), intParam(q, 'depth', 20, 100), 'upstream')],
  ['runlineage/downstream', (s, _p, q) => runLineageOr404(s, required(q, 'runId'), intParam(q, 'depth', 20, 100), 'downstream')],
  ['search', (s, _p, q) => search(s, q)],
  ['events/lineage', (s, _p, q) => events(s, q)],
  ['tags', (s) => ({ tags: s.all<Tag>('SELECT name, description FROM tags ORDER BY name') })],
];

function required(q: URLSearchParams, name: string): string {
  const v = q.get(name);
  if (v === null || v === '') throw new HttpError(400, `${name}: required`);
  return v;
}

function runLineageOr404(s: CatalogStore, runId: string, depth: number, dir: 'upstream' | 'downstream'): RunLineage {
  const result = runLineage(s, runId.toLowerCase(), depth, dir);
  if (!result) throw new HttpError(404, `run ${JSON.stringify(runId.slice(0, 80))} not found`);
  return result;
}
