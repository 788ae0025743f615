import { MarquezReader } from './marquez-reader.ts';
import { TraceError } from './trace-error.ts';
import type { FailedAssertion, RootCause, TraceReport, TracedRun, TracedVersion, UpstreamStep } from './trace-model.ts';
import type { DatasetFacets, DatasetVersionId, LineageNode, NodeRef, Run } from '../marquez/api.ts';
import { UUID_PATTERN as UUID } from '../../core/identifiers.ts';

/** Options of a trace. */
export type TraceOptions = { readonly depth?: number; readonly apiKey?: string };

function tracedRun(run: Run, job: NodeRef): TracedRun {
  const error = run.facets?.errorMessage?.message;
  return {
    id: run.id,
    job,
    state: run.state,
    ...(run.startedAt ? { startedAt: run.startedAt } : {}),
    ...(run.endedAt ? { endedAt: run.endedAt } : {}),
    ...(typeof error === 'string' ? { error } : {}),
  };
}

function failedAssertions(...facetSets: (DatasetFacets | undefined)[]): FailedAssertion[] {
  const out = new Map<string, FailedAssertion>();
  for (const facets of facetSets) {
    for (const a of facets?.dataQualityAssertions?.assertions ?? []) {
      if (a?.success !== false) continue;
      const severity = typeof a.severity === 'string' ? a.severity.toLowerCase() : '';
      const outcome = severity === 'warn' || severity === 'warning' || severity === 'info' ? 'warned' : 'failed';
      const f: FailedAssertion = { assertion: String(a.assertion), outcome };
      for (const k of ['name', 'column', 'expected', 'actual', 'severity'] as const) {
        const value = a[k];
        if (typeof value === 'string') f[k] = value;
      }
      out.set(`${f.name ?? f.assertion}:${f.column ?? ''}`, f);
    }
  }
  return [...out.values()];
}

/** The partitions a subset facet names: `batch=a`, `batch=a, batch=b`, or the first and last of many with their count. */
function subsetOf(facets: DatasetFacets | undefined): string | undefined {
  const condition = facets?.subset?.outputCondition ?? facets?.subset?.inputCondition;
  // Another producer's condition may be of another shape: look for partitions without trusting the `type`.
  const all = typeof condition === 'object' && condition !== null && 'partitions' in condition ? (condition.partitions ?? []) : [];
  const partitions = all.filter((p) => p?.dimensions && typeof p.dimensions === 'object');
  const label = (p: (typeof partitions)[number]): string =>
    Object.entries(p.dimensions)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(',');
  if (partitions.length === 0) return undefined;
  if (partitions.length <= 3) return partitions.map(label).join(', ');
  return `${label(partitions[0]!)} … ${label(partitions.at(-1)!)} (${partitions.length} partitions)`;
}

async function version(api: MarquezReader, id: DatasetVersionId, ioFacets: DatasetFacets | undefined): Promise<TracedVersion> {
  const v = await api.datasetVersion(id.namespace, id.name, id.version);
  const label = v?.facets?.version?.datasetVersion;
  const subset = subsetOf(ioFacets) ?? subsetOf(v?.facets);
  const rows = ioFacets?.outputStatistics?.rowCount ?? ioFacets?.inputStatistics?.rowCount;
  return {
    namespace: id.namespace,
    name: id.name,
    version: id.version,
    ...(typeof label === 'string' ? { label } : {}),
    ...(subset ? { subset } : {}),
    ...(typeof rows === 'number' ? { rowCount: rows } : {}),
    failedAssertions: failedAssertions(ioFacets, v?.facets),
    ...(v?.createdByRun?.id ? { producedByRunId: v.createdByRun.id } : {}),
  };
}

async function jobOfRun(api: MarquezReader, run: Run, hint?: NodeRef): Promise<NodeRef> {
  if (hint) return hint;
  const jv = run.jobVersion;
  if (jv?.namespace && jv?.name) return { namespace: jv.namespace, name: jv.name };
  throw new TraceError('TRACE_NOT_FOUND', `run ${run.id} has no job version yet (no terminal event); trace its job instead`);
}

/** Walks the runs that fed `start` through the dataset versions they read, nearest first. */
async function walkUpstream(
  api: MarquezReader,
  start: Run,
  job: NodeRef,
  depth: number,
): Promise<{ steps: UpstreamStep[]; causes: RootCause[] }> {
  const steps: UpstreamStep[] = [];
  const causes: RootCause[] = [];
  const seen = new Set<string>();
  let frontier: { run: Run; job: NodeRef }[] = [{ run: start, job }];
  for (let hop = 0; frontier.length > 0 && hop <= depth; hop += 1) {
    const next: typeof frontier = [];
    for (const { run, job: j } of frontier) {
      if (seen.has(run.id)) continue;
      seen.add(run.id);
      const traced = tracedRun(run, j);
      if (hop > 0 && (traced.state === 'FAILED' || traced.state === 'ABORTED')) causes.push({ kind: 'run', run: traced });
      const read = await Promise.all((run.inputDatasetVersions ?? []).map((r) => version(api, r.datasetVersionId, r.facets)));
      steps.push({ run: traced, read });
      for (const v of read) {
        if (v.failedAssertions.length > 0) causes.push({ kind: 'dataset-version', version: v, readBy: traced.id });
        if (!v.producedByRunId || seen.has(v.producedByRunId)) continue;
        const producer = await api.run(v.producedByRunId);
        if (producer) next.push({ run: producer, job: await jobOfRun(api, producer) });
      }
    }
    frontier = next;
  }
  return { steps, causes };
}

/** Datasets and jobs downstream of a node in a `/lineage` graph, following edge direction (works on Marquez's undirected answer). */
function downstreamOf(graph: LineageNode[], start: string): { jobs: string[]; datasets: string[] } {
  const byId = new Map(graph.map((n) => [n.id, n]));
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const e of byId.get(id)?.outEdges ?? []) {
      if (!seen.has(e.destination)) {
        seen.add(e.destination);
        queue.push(e.destination);
      }
    }
  }
  seen.delete(start);
  const ids = [...seen].sort();
  return { jobs: ids.filter((i) => i.startsWith('job:')), datasets: ids.filter((i) => i.startsWith('dataset:')) };
}

const splitNodeId = (id: string) => {
  const body = id.slice(id.indexOf(':') + 1);
  const at = body.search(/:(?!\/\/|\d)/);
  return { namespace: body.slice(0, at), name: body.slice(at + 1) };
};

/**
 * The child run (a step of a pipeline run, `parentJobName`, its parent facet pointing at `run`) to trace a run
 * through: for a failed run the earliest failed child, else the last child to start, whose upstream holds the others.
 */
async function childRunToTrace(api: MarquezReader, run: Run, job: NodeRef): Promise<{ run: Run; job: NodeRef } | undefined> {
  const failed = run.state === 'FAILED' || run.state === 'ABORTED';
  const jobs = await api.jobs(job.namespace);
  const found: { run: Run; job: NodeRef }[] = [];
  for (const j of jobs.filter((x) => x.parentJobName === job.name && x.name !== job.name)) {
    const ref = { namespace: job.namespace, name: j.name };
    for (const r of await api.runs(ref.namespace, ref.name)) {
      if (r.facets?.parent?.run?.runId !== run.id) continue;
      if (!failed || r.state === 'FAILED' || r.state === 'ABORTED') found.push({ run: r, job: ref });
    }
  }
  const byStart = found.sort((a, b) => String(a.run.startedAt).localeCompare(String(b.run.startedAt)));
  return failed ? byStart[0] : byStart.at(-1);
}

/** Resolves `s3://bucket/prefix`, `dataset:ns:name`, `job:ns:name`, `ns:job`, a bare job name or a run id. */
async function resolveNode(api: MarquezReader, node: string): Promise<{ kind: 'run'; run: Run } | ({ kind: 'job' | 'dataset' } & NodeRef)> {
  if (UUID.test(node)) {
    const run = await api.run(node.toLowerCase());
    if (!run) throw new TraceError('TRACE_NOT_FOUND', `run ${node} not found`);
    return { kind: 'run', run };
  }
  if (node.startsWith('job:') || node.startsWith('dataset:')) {
    const { namespace, name } = splitNodeId(node);
    return { kind: node.startsWith('job:') ? 'job' : 'dataset', namespace, name };
  }
  const url = /^([a-z][a-z0-9+.-]*:\/\/[^/]+)\/(.+)$/i.exec(node);
  if (url) return { kind: 'dataset', namespace: url[1]!, name: url[2]! };
  const jobs = (await api.search(node)).filter((r) => r.type === 'JOB' && (r.name === node || `${r.namespace}:${r.name}` === node));
  if (jobs.length === 1) return { kind: 'job', namespace: jobs[0]!.namespace, name: jobs[0]!.name };
  if (jobs.length > 1) throw new TraceError('TRACE_INPUT', `${node} names ${jobs.length} jobs; write job:<namespace>:<name>`);
  throw new TraceError(
    'TRACE_NOT_FOUND',
    `no run, job or dataset ${JSON.stringify(node)}; give a run id, job:<ns>:<name>, a job name or s3://bucket/prefix`,
  );
}

/**
 * Traces an incident over the Marquez API: for a failed run (or a job's latest run, or the run that wrote a dataset's
 * current version), the upstream chain with root-cause candidates, what it wrote, and the downstream blast radius.
 */
export async function traceNode(url: string, node: string, options: TraceOptions = {}): Promise<TraceReport> {
  const api = new MarquezReader(url, options.apiKey);
  const depth = options.depth ?? 20;
  const target = await resolveNode(api, node);
  let run: Run | undefined;
  let job: NodeRef | undefined;
  let dataset: TracedVersion | undefined;
  if (target.kind === 'run') {
    run = target.run;
    job = await jobOfRun(api, run);
    // A pipeline run fails because a step run failed: trace that step run; a finished one, through its last step run.
    const child = await childRunToTrace(api, run, job);
    if (child) ({ run, job } = child);
  } else if (target.kind === 'job') {
    const j = await api.job(target.namespace, target.name);
    if (!j) throw new TraceError('TRACE_NOT_FOUND', `job ${target.namespace}:${target.name} not found`);
    job = { namespace: target.namespace, name: target.name };
    run = j.latestRun ?? undefined;
  } else {
    const d = await api.dataset(target.namespace, target.name);
    if (!d) throw new TraceError('TRACE_NOT_FOUND', `dataset ${target.namespace}:${target.name} not found`);
    if (d.currentVersion) {
      dataset = await version(api, { namespace: target.namespace, name: target.name, version: d.currentVersion }, d.facets);
      if (dataset.producedByRunId) {
        run = await api.run(dataset.producedByRunId);
        if (run) job = await jobOfRun(api, run);
      }
    }
  }
  const { steps, causes } = run && job ? await walkUpstream(api, run, job, depth) : { steps: [], causes: [] };
  if (dataset && dataset.failedAssertions.length > 0) causes.unshift({ kind: 'dataset-version', version: dataset, readBy: '' });
  const failed = run?.state === 'FAILED' || run?.state === 'ABORTED';
  const written = run
    ? await Promise.all(
        (run.outputDatasetVersions ?? []).map(async (o) => {
          const v = await version(api, o.datasetVersionId, o.facets);
          // An output only declared (at START) and never written holds no data to quarantine.
          return { ...v, quarantined: failed && (v.rowCount !== undefined || v.subset !== undefined) };
        }),
      )
    : [];
  const start =
    target.kind === 'dataset' && !job ? `dataset:${target.namespace}:${target.name}` : job ? `job:${job.namespace}:${job.name}` : undefined;
  const reach = start ? downstreamOf(await api.lineage(start, depth), start) : { jobs: [], datasets: [] };
  const writtenVersions = new Set([...written.map((w) => w.version), ...(dataset ? [dataset.version] : [])]);
  const readers: (TracedRun & { read: string[] })[] = [];
  for (const id of reach.jobs) {
    const j = splitNodeId(id);
    for (const r of await api.runs(j.namespace, j.name)) {
      const read = (r.inputDatasetVersions ?? [])
        .filter((i) => writtenVersions.has(i.datasetVersionId?.version))
        .map((i) => `${i.datasetVersionId.namespace}/${i.datasetVersionId.name}`);
      if (read.length > 0) readers.push({ ...tracedRun(r, j), read });
    }
  }
  return {
    node,
    ...(run && job ? { run: tracedRun(run, job) } : {}),
    ...(dataset ? { dataset } : {}),
    upstream: steps,
    rootCauses: causes,
    written,
    downstream: { jobs: reach.jobs.map(splitNodeId), datasets: reach.datasets.map(splitNodeId), runs: readers },
  };
}
