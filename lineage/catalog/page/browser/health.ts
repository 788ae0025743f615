// What needs a person's attention, read from what the catalog already answers: failed runs, data tests that failed
// (an `error` assertion fails a run; a `warn` one only warns), and quarantined batches (data a failed run wrote aside).
import type { DatasetFacets, LineageNode, Run, RunDatasetVersion } from '../../../marquez/api.ts';

/** How a job, run, dataset or version is doing, worst first. */
export type Health = 'failed' | 'quarantined' | 'warned' | 'running' | 'ok' | 'none';

/** The outcome of one data-quality assertion. */
export type AssertionOutcome = 'passed' | 'warned' | 'failed';

/** The assertions of a facet set, each with its outcome; a malformed facet (another producer's) yields none. */
export function assertionsOf(
  facets: DatasetFacets | null | undefined,
): { name: string; column?: string; outcome: AssertionOutcome; expected?: string; actual?: string; severity?: string }[] {
  const list = facets?.dataQualityAssertions?.assertions;
  if (!Array.isArray(list)) return [];
  return list
    .filter((a) => typeof a === 'object' && a !== null)
    .map((a) => ({
      name: String(a.name ?? a.assertion ?? '?'),
      ...(typeof a.column === 'string' ? { column: a.column } : {}),
      outcome: assertionOutcome(a),
      ...(typeof a.expected === 'string' ? { expected: a.expected } : {}),
      ...(typeof a.actual === 'string' ? { actual: a.actual } : {}),
      ...(typeof a.severity === 'string' ? { severity: a.severity } : {}),
    }));
}

/** A failed assertion warns when its severity says so (`warn`, `warning`, `info`), else it fails. */
export function assertionOutcome(a: { success?: unknown; severity?: unknown }): AssertionOutcome {
  if (a.success !== false) return 'passed';
  const severity = typeof a.severity === 'string' ? a.severity.toLowerCase() : '';
  return severity === 'warn' || severity === 'warning' || severity === 'info' ? 'warned' : 'failed';
}

/** The worst outcome among the assertions of some facet sets: failed, warned, or undefined when none failed. */
export function assertionHealth(...facetSets: (DatasetFacets | null | undefined)[]): 'failed' | 'warned' | undefined {
  const outcomes = facetSets.flatMap((f) => assertionsOf(f).map((a) => a.outcome));
  if (outcomes.includes('failed')) return 'failed';
  if (outcomes.includes('warned')) return 'warned';
  return undefined;
}

/** True when an output version of a run holds data (rows or a batch), not only a name declared at START. */
export function holdsData(output: RunDatasetVersion): boolean {
  const f = output.facets ?? {};
  return typeof f.outputStatistics?.rowCount === 'number' || f.subset !== undefined;
}

/** A run's health: failed or aborted; running; warned when a data test it ran only warned; else ok. */
export function runHealth(run: Run | null | undefined): Health {
  if (!run) return 'none';
  if (run.state === 'FAILED' || run.state === 'ABORTED') return 'failed';
  if (run.state === 'RUNNING' || run.state === 'NEW') return 'running';
  const io = [...(run.inputDatasetVersions ?? []), ...(run.outputDatasetVersions ?? [])].map((v) => v.facets);
  return assertionHealth(...io) ? 'warned' : 'ok';
}

/** The dataset versions a failed run wrote data to: its quarantined batches. */
export function quarantinedBy(run: Run | null | undefined): RunDatasetVersion[] {
  if (!run || runHealth(run) !== 'failed') return [];
  return (run.outputDatasetVersions ?? []).filter(holdsData);
}

/** What a graph node shows: its health and a short word for it (`FAILED`, `WARN`, `QUARANTINED`, a run state). */
export type NodeHealth = { health: Health; label: string };

const worse = (a: Health, b: Health): Health => {
  const order: Health[] = ['failed', 'quarantined', 'warned', 'running', 'ok', 'none'];
  return order.indexOf(a) <= order.indexOf(b) ? a : b;
};

/**
 * The health of every node of a `/lineage` graph, from the jobs' latest runs alone (no further requests): a job by its
 * latest run; a dataset by the data tests its readers' latest runs ran on it, and quarantined when a failed latest run
 * wrote a batch to it.
 */
export function graphHealth(graph: LineageNode[]): Map<string, NodeHealth> {
  const health = new Map<string, NodeHealth>();
  const datasetHealth = new Map<string, Health>();
  const mark = (key: string, h: Health) => datasetHealth.set(key, worse(h, datasetHealth.get(key) ?? 'none'));
  for (const n of graph) {
    if (n.type !== 'JOB') continue;
    const run = n.data.latestRun;
    const h = runHealth(run);
    const label = h === 'failed' ? (run?.state ?? 'FAILED') : h === 'warned' ? 'WARN' : run ? run.state : 'NO RUN';
    health.set(n.id, { health: h, label });
    for (const i of run?.inputDatasetVersions ?? []) {
      const a = assertionHealth(i.facets);
      if (a) mark(`${i.datasetVersionId.namespace}:${i.datasetVersionId.name}`, a);
    }
    for (const q of quarantinedBy(run)) mark(`${q.datasetVersionId.namespace}:${q.datasetVersionId.name}`, 'quarantined');
  }
  for (const n of graph) {
    if (n.type !== 'DATASET') continue;
    const h = datasetHealth.get(`${n.data.namespace}:${n.data.name}`) ?? 'ok';
    const label = h === 'failed' ? 'TESTS FAILED' : h === 'warned' ? 'WARN' : h === 'quarantined' ? 'QUARANTINED' : '';
    health.set(n.id, { health: h, label });
  }
  return health;
}
