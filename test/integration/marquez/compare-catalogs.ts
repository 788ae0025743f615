// Reads what a Marquez-API server (real Marquez or the embedded catalog) knows, in a comparable form, and lists the
// differences between two such snapshots. The differential test posts the same events to both and expects none.

type Obj = Record<string, any>;

/** The node and edge sets of one `/lineage` answer, or its HTTP status when it is not 200. */
export type LineageShape = { nodes: string[]; edges: string[] } | { status: number };

/** What the comparison looks at: namespaces, jobs, datasets, run states and `/lineage` graphs. */
export type CatalogSnapshot = {
  namespaces: string[];
  /** `<namespace>:<job>` → naming, current IO and latest run state. */
  jobs: Record<string, Obj>;
  /** `<namespace>:<dataset>` → source and schema fields. */
  datasets: Record<string, Obj>;
  /** `<namespace>:<job>` → `<run id> <state>` of every run, sorted. */
  runs: Record<string, string[]>;
  /** `<nodeId> depth=<n>` → the graph. */
  lineage: Record<string, LineageShape>;
};

async function get(url: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/api/v1/${path}`);
  const text = await res.text();
  if (res.status !== 200) return { status: res.status, body: undefined };
  return { status: 200, body: JSON.parse(text) };
}

async function getOk(url: string, path: string): Promise<any> {
  const r = await get(url, path);
  if (r.status !== 200) throw new Error(`GET ${url}/api/v1/${path}: HTTP ${r.status}`);
  return r.body;
}

const enc = encodeURIComponent;
const ref = (d: Obj) => `${d['namespace']}:${d['name']}`;

/** The `/lineage` graph of a node as sorted node ids and `origin>destination` edges. */
export async function lineageShape(url: string, nodeId: string, depth: number): Promise<LineageShape> {
  const r = await get(url, `lineage?nodeId=${enc(nodeId)}&depth=${depth}`);
  if (r.status !== 200) return { status: r.status };
  const graph = r.body['graph'] as Obj[];
  return {
    nodes: graph.map((n) => String(n['id'])).sort(),
    edges: graph.flatMap((n) => (n['outEdges'] as Obj[]).map((e) => `${e['origin']}>${e['destination']}`)).sort(),
  };
}

/** Snapshots `namespaces` (all, when not given) and the lineage of `lineageNodes` (all jobs and datasets, when not given) at each depth. */
export async function snapshotCatalog(
  url: string,
  opts: { namespaces?: string[]; lineageNodes?: string[]; depths: number[] },
): Promise<CatalogSnapshot> {
  const namespaces = opts.namespaces ?? ((await getOk(url, 'namespaces'))['namespaces'] as Obj[]).map((n) => String(n['name'])).sort();
  const snapshot: CatalogSnapshot = { namespaces, jobs: {}, datasets: {}, runs: {}, lineage: {} };
  const nodes: string[] = [];
  for (const ns of namespaces) {
    for (const j of (await getOk(url, `namespaces/${enc(ns)}/jobs?limit=10000`))['jobs'] as Obj[]) {
      const key = `${ns}:${j['name']}`;
      snapshot.jobs[key] = {
        type: j['type'],
        simpleName: j['simpleName'],
        parentJobName: j['parentJobName'] ?? null,
        inputs: (j['inputs'] as Obj[]).map(ref).sort(),
        outputs: (j['outputs'] as Obj[]).map(ref).sort(),
        latestRunState: j['latestRun']?.['state'] ?? null,
      };
      const runs = (await getOk(url, `namespaces/${enc(ns)}/jobs/${enc(String(j['name']))}/runs?limit=1000`))['runs'] as Obj[];
      snapshot.runs[key] = runs.map((r) => `${r['id']} ${r['state']}`).sort();
      nodes.push(`job:${ns}:${j['name']}`);
    }
    for (const d of (await getOk(url, `namespaces/${enc(ns)}/datasets?limit=10000`))['datasets'] as Obj[]) {
      snapshot.datasets[`${ns}:${d['name']}`] = {
        sourceName: d['sourceName'],
        // Marquez aggregates a dataset's fields without an order (PostgreSQL array_agg); the catalog keeps the schema's.
        fields: (d['fields'] as Obj[]).map((f) => `${f['name']}:${f['type'] ?? ''}`).sort(),
      };
      nodes.push(`dataset:${ns}:${d['name']}`);
    }
  }
  for (const nodeId of opts.lineageNodes ?? nodes.sort()) {
    for (const depth of opts.depths) snapshot.lineage[`${nodeId} depth=${depth}`] = await lineageShape(url, nodeId, depth);
  }
  return snapshot;
}

/** Every difference between two snapshots, as `<path>: <a> ≠ <b>` lines (at most `limit`). */
export function compareSnapshots(a: CatalogSnapshot, b: CatalogSnapshot, labels: [string, string] = ['a', 'b'], limit = 50): string[] {
  const out: string[] = [];
  const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v)).slice(0, 300);
  const walk = (path: string, x: unknown, y: unknown): void => {
    if (out.length >= limit) return;
    if (Array.isArray(x) && Array.isArray(y)) {
      const xs = new Set(x.map((v) => JSON.stringify(v)));
      const ys = new Set(y.map((v) => JSON.stringify(v)));
      const onlyX = [...xs].filter((v) => !ys.has(v));
      const onlyY = [...ys].filter((v) => !xs.has(v));
      if (onlyX.length > 0)
        out.push(`${path}: only in ${labels[0]}: ${onlyX.slice(0, 10).join(', ')}${onlyX.length > 10 ? ` (+${onlyX.length - 10})` : ''}`);
      if (onlyY.length > 0)
        out.push(`${path}: only in ${labels[1]}: ${onlyY.slice(0, 10).join(', ')}${onlyY.length > 10 ? ` (+${onlyY.length - 10})` : ''}`);
      if (onlyX.length === 0 && onlyY.length === 0 && JSON.stringify(x) !== JSON.stringify(y))
        out.push(`${path}: same items, different order`);
      return;
    }
    if (x && y && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x) && !Array.isArray(y)) {
      for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) walk(`${path}.${k}`, (x as Obj)[k], (y as Obj)[k]);
      return;
    }
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`${path}: ${labels[0]} ${show(x)} ≠ ${labels[1]} ${show(y)}`);
  };
  walk('', a, b);
  return out;
}
