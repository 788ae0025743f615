// Reads every endpoint Marquez's web UI calls, from a plan built out of one server's own lists, so that two servers
// (Marquez and the embedded catalog) can be asked the very same requests and their answers compared.

/** One answer: the HTTP status and the parsed JSON body (the raw text when it is not JSON, undefined when empty). */
export type Answer = { status: number; body: unknown };
/** Request path (under `/api/v1/`) → answer, in the order asked. */
export type Reading = Map<string, Answer>;

type Obj = Record<string, any>;
const enc = encodeURIComponent;

/** GETs `/api/v1/<path>` (or another method) and keeps status and body. */
export async function ask(url: string, path: string, method = 'GET'): Promise<Answer> {
  const res = await fetch(`${url}/api/v1/${path}`, { method, signal: AbortSignal.timeout(120_000) });
  const text = await res.text();
  if (text === '') return { status: res.status, body: undefined };
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: res.status, body: text };
  }
}

async function okBody(url: string, path: string): Promise<Obj> {
  const a = await ask(url, path);
  if (a.status !== 200) throw new Error(`GET ${url}/api/v1/${path}: HTTP ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
  return a.body as Obj;
}

/** What to read besides the lists: lineage depths, the namespaces to walk (default all) and search texts. */
export type PlanOptions = {
  readonly namespaces?: string[];
  /** `/lineage` depths per node (the UI's default is 2). */
  readonly lineageDepths: number[];
  /** `/column-lineage` depths per dataset (the UI's default is 2). */
  readonly columnDepths: number[];
  /** Texts typed into the search box. */
  readonly searches: string[];
  /** `/events/lineage` windows, as the events page asks them. */
  readonly eventWindows: Array<{ after: string; before: string }>;
};

/**
 * The requests the UI would make over everything one server knows: namespaces, tags, job lists (all states), every
 * job with its runs and each run's facets, every dataset with its versions, /lineage of every node and
 * /column-lineage of every dataset, searches and event pages.
 */
export async function planReads(url: string, opts: PlanOptions): Promise<string[]> {
  const plan: string[] = ['namespaces', 'tags', 'jobs?limit=10000&offset=0'];
  for (const state of ['RUNNING', 'COMPLETED', 'FAILED', 'ABORTED']) plan.push(`jobs?limit=10000&offset=0&lastRunStates=${state}`);
  const all = ((await okBody(url, 'namespaces'))['namespaces'] as Obj[]).map((n) => String(n['name']));
  const namespaces = opts.namespaces ?? all;
  const nodes: string[] = [];
  const datasets: string[] = [];
  for (const ns of namespaces) {
    plan.push(
      `namespaces/${enc(ns)}`,
      `namespaces/${enc(ns)}/jobs?limit=10000&offset=0`,
      `namespaces/${enc(ns)}/datasets?limit=10000&offset=0`,
    );
    for (const j of (await okBody(url, `namespaces/${enc(ns)}/jobs?limit=10000`))['jobs'] as Obj[]) {
      const job = `namespaces/${enc(ns)}/jobs/${enc(String(j['name']))}`;
      plan.push(job, `${job}/runs?limit=10000&offset=0`);
      for (const r of (await okBody(url, `${job}/runs?limit=10000`))['runs'] as Obj[]) {
        plan.push(
          `jobs/runs/${String(r['id'])}`,
          `jobs/runs/${String(r['id'])}/facets?type=job`,
          `jobs/runs/${String(r['id'])}/facets?type=run`,
        );
      }
      nodes.push(`job:${ns}:${String(j['name'])}`);
    }
    for (const d of (await okBody(url, `namespaces/${enc(ns)}/datasets?limit=10000`))['datasets'] as Obj[]) {
      const ds = `namespaces/${enc(ns)}/datasets/${enc(String(d['name']))}`;
      plan.push(ds, `${ds}/versions?limit=10000&offset=0`);
      nodes.push(`dataset:${ns}:${String(d['name'])}`);
      datasets.push(`dataset:${ns}:${String(d['name'])}`);
    }
  }
  for (const node of nodes) for (const depth of opts.lineageDepths) plan.push(`lineage?nodeId=${enc(node)}&depth=${depth}`);
  for (const node of datasets)
    for (const depth of opts.columnDepths) plan.push(`column-lineage?nodeId=${enc(node)}&depth=${depth}&withDownstream=true`);
  for (const q of opts.searches) {
    plan.push(`search?q=${enc(q)}&sort=UPDATE_AT&limit=100`, `search?q=${enc(q)}&sort=NAME&limit=100&filter=DATASET`);
    plan.push(`search?q=${enc(q)}&sort=NAME&limit=100&filter=JOB`);
  }
  for (const w of opts.eventWindows) {
    plan.push(`events/lineage?limit=50&before=${w.before}&after=${w.after}&offset=0&sortDirection=desc`);
    plan.push(`events/lineage?limit=10000&before=${w.before}&after=${w.after}&offset=0&sortDirection=asc`);
  }
  return plan;
}

/** The dashboard's four stats calls for both periods, in the time zones given. */
export function statsReads(zones: string[]): string[] {
  const out: string[] = [];
  for (const kind of ['lineage-events', 'jobs', 'datasets', 'sources']) {
    out.push(`stats/${kind}?period=DAY&timezone=UTC`);
    for (const zone of zones) out.push(`stats/${kind}?period=WEEK&timezone=${zone}`);
  }
  return out;
}

/** Asks both servers each request of the plan, one after the other, so that time-dependent answers match up. */
export async function readBoth(a: string, b: string, plan: string[]): Promise<[Reading, Reading]> {
  const ra: Reading = new Map();
  const rb: Reading = new Map();
  for (const path of plan) {
    ra.set(path, await ask(a, path));
    rb.set(path, await ask(b, path));
  }
  return [ra, rb];
}
