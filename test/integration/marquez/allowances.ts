// The only differences the differential test lets pass between Marquez and the embedded catalog: each is a deliberate
// extension or a documented difference listed in lineage/catalog/README.md ("Extensions" and "Known differences"),
// and each rule here names that entry. A difference no rule explains fails the test.

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a rule sees: the request, the JSON path to the value, both values, the objects holding them, and facts. */
export type Site = {
  readonly request: string;
  readonly path: readonly (string | number)[];
  readonly marquez: unknown;
  readonly catalog: unknown;
  /** The objects that hold the two values (the node's `data`, say), when they are members of one. */
  readonly holders?: { readonly marquez: unknown; readonly catalog: unknown };
  readonly facts: Facts;
};

/** Facts from the posted stream and Marquez's own answers. */
export type Facts = {
  /** Every eventTime posted, as Marquez writes instants. */
  readonly eventTimes: ReadonlySet<string>;
  /** Run id → `namespace:job` of its job, from the runs Marquez lists. */
  readonly jobOfRun: ReadonlyMap<string, string>;
  /** `namespace:job` → the state of the job's own latest run (null without runs), from the catalog's job list. */
  readonly ownLatestState: ReadonlyMap<string, string | null>;
  /** Run uuid → its events with a type, in the order they were posted (time as Marquez writes it). */
  readonly runEvents: ReadonlyMap<string, ReadonlyArray<{ type: string; time: string }>>;
};

const STARTING = new Set(['START', 'RUNNING', 'OTHER']);
const STATE: Record<string, string> = {
  START: 'RUNNING',
  RUNNING: 'RUNNING',
  OTHER: 'RUNNING',
  COMPLETE: 'COMPLETED',
  FAIL: 'FAILED',
  ABORT: 'ABORTED',
};

/** A run's state and times as Marquez keeps them (by arrival) and as the catalog does (by event time). */
export function runStateViews(events: ReadonlyArray<{ type: string; time: string }>): { arrival: Obj; eventTime: Obj } {
  const view = (list: ReadonlyArray<{ type: string; time: string }>, latest: { type: string; time: string } | undefined) => {
    const starts = list.filter((e) => STARTING.has(e.type));
    const ends = list.filter((e) => !STARTING.has(e.type));
    const startedAt = starts.at(-1)?.time ?? null;
    const terminal = latest !== undefined && !STARTING.has(latest.type);
    return { state: latest ? STATE[latest.type] : null, startedAt, endedAt: ends.at(-1)?.time ?? null, terminal };
  };
  const byTime = [...events].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const arrival = view(events, events.at(-1));
  const eventTime = view(byTime, byTime.at(-1));
  return {
    arrival: { ...arrival, endedAt: arrival.endedAt },
    // The catalog clears the end of a run whose latest event (by time) is not terminal.
    eventTime: { ...eventTime, endedAt: eventTime.terminal ? eventTime.endedAt : null },
  };
}

/** One allowance: its README entry and when it explains a difference. */
export type Allowance = { readonly id: string; readonly readme: string; readonly explains: (site: Site) => boolean };

const key = (s: Site) => s.path.at(-1);
const isTime = (v: unknown) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v);
const endpoint = (s: Site) => s.request.split('?')[0]!;

/** Strips what Marquez's re-serialisation of modelled facets changes: null members (null is absent), and date-time spellings. */
export function normalizeFacetJson(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map(normalizeFacetJson);
  if (isObj(value)) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = normalizeFacetJson(v);
    return out;
  }
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? value : `instant:${ms}`;
  }
  return value;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every difference the differential test lets through, each with the README entry it stands for. */
export const ALLOWANCES: readonly Allowance[] = [
  {
    id: 'event-time-clock',
    readme: '`updatedAt` is an event time, never the ingest wall clock',
    // Marquez writes the time an event arrived on a job's non-terminal events and on a run's outputs after COMPLETE.
    explains: (s) =>
      key(s) === 'updatedAt' &&
      isTime(s.marquez) &&
      !s.facts.eventTimes.has(String(s.marquez)) &&
      s.facts.eventTimes.has(String(s.catalog)),
  },
  {
    id: 'default-namespace-clock',
    readme: 'the `default` namespace is made when the catalog is first opened',
    explains: (s) => {
      const k = key(s);
      if (k !== 'createdAt' && k !== 'updatedAt') return false;
      return (
        isTime(s.marquez) && isTime(s.catalog) && (s.request === 'namespaces/default' || s.path.some((p) => String(p).endsWith('|default')))
      );
    },
  },
  {
    id: 'last-modified',
    readme: '`lastModifiedAt` is the time the current version was made current',
    explains: (s) => key(s) === 'lastModifiedAt' && s.marquez === null && s.facts.eventTimes.has(String(s.catalog)),
  },
  {
    id: 'nominal-times',
    readme: "a run's `nominalStartTime`/`nominalEndTime` come from its nominalTime facet",
    explains: (s) => (key(s) === 'nominalStartTime' || key(s) === 'nominalEndTime') && s.marquez === null && isTime(s.catalog),
  },
  {
    id: 'lineage-latest-run',
    readme: "a job node's `latestRun` in `/lineage` is the job's own latest run",
    explains: (s) => {
      if (endpoint(s) !== 'lineage' || (key(s) !== 'latestRun' && key(s) !== 'currentRunUuid')) return false;
      const id = (v: unknown) => (isObj(v) ? String(v['id']) : typeof v === 'string' ? v : undefined);
      const [m, c] = [id(s.marquez), id(s.catalog)];
      // Marquez shows the run its jobs table points at, which for a child job is the parent's run.
      return m !== undefined && c !== undefined && s.facts.jobOfRun.get(m) !== s.facts.jobOfRun.get(c);
    },
  },
  {
    id: 'run-state-filter',
    readme: "the dashboard's run-state filter looks at each job's own latest run",
    // Marquez filters on the run its jobs table points at (the parent's, for a child job), keeps jobs without runs and
    // counts every job in totalCount; the catalog's answer is checked against its own list instead.
    explains: (s) => {
      const states = /lastRunStates=([A-Z]+)/.exec(s.request)?.[1];
      if (!states || s.path.length !== 1) return false;
      const own = (j: Obj) => s.facts.ownLatestState.get(`${j['namespace']}:${j['name']}`);
      if (key(s) === 'jobs' && Array.isArray(s.marquez) && Array.isArray(s.catalog)) {
        const ids = (l: Obj[]) => new Set(l.map((j) => `${j['namespace']}:${j['name']}`));
        const [m, c] = [ids(s.marquez as Obj[]), ids(s.catalog as Obj[])];
        const onlyM = (s.marquez as Obj[]).filter((j) => !c.has(`${j['namespace']}:${j['name']}`));
        const onlyC = (s.catalog as Obj[]).filter((j) => !m.has(`${j['namespace']}:${j['name']}`));
        return onlyM.every((j) => own(j) !== states) && onlyC.every((j) => own(j) === states);
      }
      if (key(s) === 'totalCount') return s.catalog === [...s.facts.ownLatestState.values()].filter((v) => v === states).length;
      return false;
    },
  },
  {
    id: 'run-state-by-event-time',
    readme: "a run's `state`, `startedAt` and `endedAt` come from its latest event by event time",
    explains: (s) => {
      const k = key(s);
      if (k !== 'state' && k !== 'startedAt' && k !== 'endedAt' && k !== 'durationMs') return false;
      const run = isObj(s.holders?.catalog) ? s.holders.catalog : undefined;
      const events = run ? s.facts.runEvents.get(String(run['id'])) : undefined;
      if (!events) return false;
      const { arrival, eventTime } = runStateViews(events);
      const duration = (v: Obj) =>
        v['startedAt'] && v['endedAt'] ? Date.parse(String(v['endedAt'])) - Date.parse(String(v['startedAt'])) : null;
      if (k === 'durationMs') return s.marquez === duration(arrival) && s.catalog === duration(eventTime);
      return s.marquez === arrival[k] && s.catalog === eventTime[k];
    },
  },
  {
    id: 'lineage-node-fields',
    readme: 'dataset nodes of `/lineage` carry their fields and tags',
    // Marquez 0.51 answers every dataset node of /lineage with `fields: []` and `tags: []`.
    explains: (s) =>
      endpoint(s) === 'lineage' &&
      (key(s) === 'fields' || key(s) === 'tags') &&
      s.path.at(-2) === 'data' &&
      Array.isArray(s.marquez) &&
      s.marquez.length === 0 &&
      Array.isArray(s.catalog),
  },
  {
    id: 'transformations-1-2-0',
    readme: 'column lineage reads `transformations[]` (OpenLineage 1-2-0) when the deprecated fields are absent',
    explains: (s) =>
      (key(s) === 'transformationType' || key(s) === 'transformationDescription') && s.marquez === null && typeof s.catalog === 'string',
  },
  {
    id: 'input-field-type',
    readme: "`/column-lineage` gives an input-only field's type",
    explains: (s) => endpoint(s) === 'column-lineage' && key(s) === 'fieldType' && s.marquez === '' && typeof s.catalog === 'string',
  },
  {
    id: 'downstream-from-source',
    readme: '`/column-lineage?withDownstream=true` of a node without column lineage of its own still walks downstream',
    explains: (s) => {
      if (endpoint(s) !== 'column-lineage' || s.path.length !== 1 || key(s) !== 'graph') return false;
      const m = s.marquez as Obj[];
      const c = s.catalog as Obj[];
      const node = decodeURIComponent(/nodeId=([^&]+)/.exec(s.request)?.[1] ?? '');
      const own = (n: Obj) =>
        String(n['id']).startsWith(`datasetField:${node.slice('dataset:'.length)}:`) && (n['inEdges'] as Obj[]).length > 0;
      return Array.isArray(m) && m.length === 0 && Array.isArray(c) && c.length > 0 && !c.some(own);
    },
  },
  {
    id: 'column-lineage-versions',
    readme: "a column's lineage recorded by several versions is shown whole",
    // Marquez answers one node per (column, version) and keeps an arbitrary one, so its node lists the inputs of one
    // version while its edges list all of them; the catalog's node lists all of them, with the latest version. A column
    // that is only an input carries the version one of the records read, in both.
    explains: (s) => {
      if (endpoint(s) !== 'column-lineage' || s.path.at(-2) !== 'data') return false;
      const ids = (v: unknown) => (Array.isArray(v) ? v.map((f: Obj) => `${f['namespace']}:${f['dataset']}:${f['field']}`) : []);
      const m = isObj(s.holders?.marquez) ? ids(s.holders.marquez['inputFields']) : [];
      const c = isObj(s.holders?.catalog) ? ids(s.holders.catalog['inputFields']) : [];
      const wider = m.length < c.length && m.every((id) => c.includes(id));
      const k = key(s);
      if (k === 'inputFields') return wider;
      const sameDataset = (v: unknown) => String(v).split('@')[0];
      if (k === 'datasetVersion') return (wider || (m.length === 0 && c.length === 0)) && sameDataset(s.marquez) === sameDataset(s.catalog);
      return (k === 'transformationType' || k === 'transformationDescription') && wider;
    },
  },
  {
    id: 'first-input-transformation',
    readme: "a column's own `transformationType` and `transformationDescription` are its first input's",
    // Deprecated column-level copies of one input's transformation: Marquez takes any of the column's inputs.
    explains: (s) => {
      const k = key(s);
      if (k !== 'transformationType' && k !== 'transformationDescription') return false;
      const values = (holder: unknown) =>
        isObj(holder) && Array.isArray(holder['inputFields']) && holder['inputFields'].length > 1
          ? (holder['inputFields'] as Obj[]).map((f) => f[k as string] ?? null)
          : undefined;
      const [m, c] = [values(s.holders?.marquez), values(s.holders?.catalog)];
      return m !== undefined && c !== undefined && m.includes(s.marquez) && c.includes(s.catalog);
    },
  },
  {
    id: 'facets-as-posted',
    readme: 'facets and events are returned as posted',
    // Marquez parses the facets it models and writes them back (nulls for absent members, date-times in UTC).
    explains: (s) => {
      const inFacets = s.path.includes('facets') || endpoint(s) === 'events/lineage';
      return inFacets && sameJson(normalizeFacetJson(s.marquez), normalizeFacetJson(s.catalog));
    },
  },
  {
    id: 'dataset-list-facets',
    readme: "dataset lists carry every dataset's facets",
    // Marquez loads facets for the first ten datasets of a page only.
    explains: (s) =>
      /^namespaces\/[^/]+\/datasets$/.test(endpoint(s)) &&
      s.path[0] === 'datasets' &&
      Number.parseInt(String(s.path[1]), 10) >= 10 &&
      key(s) === 'facets' &&
      sameJson(s.marquez, {}),
  },
  {
    id: 'input-version-by-facet',
    readme: "a run's input reads the version its `version` facet (`datasetVersion`) names",
    // Marquez keeps one version of a dataset no run writes, read by every run; the catalog keeps one per version label
    // read. Version tokens name a run-less version by its dataset alone (`<dataset>@no-run`, `*N` when there are N), so
    // the difference shows as Marquez's single token against the catalog's counted one, and as the extra versions listed.
    explains: (s) => {
      const single = (v: unknown) => (typeof v === 'string' ? /^(.+)@no-run$/.exec(v)?.[1] : undefined);
      const counted = (v: unknown) => (typeof v === 'string' ? /^(.+)@no-run\*\d+$/.exec(v)?.[1] : undefined);
      const m = single(s.marquez);
      if (m !== undefined) return m === counted(s.catalog);
      if (!endpoint(s).endsWith('/versions')) return false;
      const tokens = (v: unknown) => (Array.isArray(v) ? v.map((x) => (isObj(x) ? x['version'] : undefined)) : undefined);
      if (key(s) === 'versions') {
        const [mv, cv] = [tokens(s.marquez), tokens(s.catalog)];
        if (!mv || !cv) return false;
        const onlyM = mv.filter((t) => !cv.includes(t));
        const onlyC = cv.filter((t) => !mv.includes(t));
        const dataset = single(onlyM[0]);
        return onlyM.length === 1 && dataset !== undefined && onlyC.length > 0 && onlyC.every((t) => counted(t) === dataset);
      }
      if (key(s) === 'totalCount' && typeof s.marquez === 'number' && typeof s.catalog === 'number') {
        const runless = (v: unknown) =>
          (tokens(isObj(v) ? v['versions'] : undefined) ?? []).filter((t) => /@no-run(\*\d+)?$/.test(String(t))).length;
        return s.catalog - s.marquez === runless(s.holders?.catalog) - runless(s.holders?.marquez) && s.catalog > s.marquez;
      }
      return false;
    },
  },
  {
    id: 'error-wording',
    readme: 'error bodies name the parameter, the value and what is allowed',
    explains: (s) => key(s) === '(error)',
  },
];
