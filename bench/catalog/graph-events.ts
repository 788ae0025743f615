// A seeded, generated lineage graph as OpenLineage run events: several pipelines of chained jobs, shared reference
// datasets and some cross-pipeline reads, so that a deep /lineage query has real work to do. Used by bench/catalog and by
// the differential test against Marquez; the same seed always gives the same events, byte for byte.
import { seededRandom } from '../../examples/churn/generate-data.ts';

/** The shape of the generated graph. */
export type GraphSpec = {
  /** Independent pipelines, each a chain of jobs over its own raw dataset. */
  readonly pipelines: number;
  /** Jobs per pipeline; each writes one dataset. */
  readonly jobsPerPipeline: number;
  /** Datasets read by jobs of any pipeline and written by none (dimension tables, say). */
  readonly referenceDatasets: number;
  /** Runs per job; a later run may read one more input, so IO accumulates. @default 1 */
  readonly runsPerJob?: number;
  /** Every n-th run fails (0: none). @default 0 */
  readonly failEvery?: number;
  /** Pipelines whose jobs carry a parent facet naming the pipeline's run (a parent job). @default 0 */
  readonly withParent?: number;
  readonly seed: number;
  /** Prefix of job and dataset namespaces, so several graphs can share a catalog. @default 'gen' */
  readonly namespace?: string;
};

/** One generated graph: the events in the order to post them, and what they describe. */
export type GeneratedGraph = {
  readonly events: Record<string, unknown>[];
  /** Jobs plus datasets the events name (parent jobs excluded). */
  readonly nodes: number;
  readonly jobs: number;
  readonly datasets: number;
  /** `dataset:<namespace>:<name>` of the last dataset of the first pipeline: the deepest node. */
  readonly deepestDatasetNode: string;
  /** `job:<namespace>:<name>` of a job in the middle of the first pipeline, as a catalog names it. */
  readonly middleJobNode: string;
};

const PRODUCER = 'https://github.com/sluice/sluice/tree/main/bench/catalog';
const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent';
const SCHEMA_FACET = 'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet';
const PARENT_FACET = 'https://openlineage.io/spec/facets/1-1-0/ParentRunFacet.json#/$defs/ParentRunFacet';

// Run ids as OpenLineage clients make them (Python, Java and Sluice's own): UUIDv7, time-ordered by the run's start.
function uuidV7(ms: number, random: () => number): string {
  const hex = ms.toString(16).padStart(12, '0').split('');
  for (let i = 0; i < 20; i += 1) hex.push(Math.floor(random() * 16).toString(16));
  hex[12] = '7';
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

type Dataset = { namespace: string; name: string };

function datasetRef(d: Dataset, withSchema: boolean, columns: number): Record<string, unknown> {
  if (!withSchema) return { namespace: d.namespace, name: d.name, facets: {} };
  const fields = Array.from({ length: columns }, (_, i) => ({
    name: `c${i}`,
    type: i % 3 === 0 ? 'BIGINT' : i % 3 === 1 ? 'DOUBLE' : 'VARCHAR',
  }));
  return { namespace: d.namespace, name: d.name, facets: { schema: { _producer: PRODUCER, _schemaURL: SCHEMA_FACET, fields } } };
}

/** Generates the events of a graph; see GraphSpec. */
export function generateGraphEvents(spec: GraphSpec): GeneratedGraph {
  const random = seededRandom(spec.seed);
  const ns = spec.namespace ?? 'gen';
  const jobNamespace = `${ns}-jobs`;
  const storage = `s3://${ns}-lake`;
  const runsPerJob = spec.runsPerJob ?? 1;
  const failEvery = spec.failEvery ?? 0;
  const refs: Dataset[] = Array.from({ length: spec.referenceDatasets }, (_, i) => ({
    namespace: `${ns}-warehouse`,
    name: `ref.dim_${i}`,
  }));
  const outputs: Dataset[][] = [];
  const events: Record<string, unknown>[] = [];
  const datasets = new Set<string>();
  const jobs = new Set<string>();
  let clock = Date.parse('2026-01-05T00:00:00.000Z');
  let runCount = 0;
  const at = () => new Date((clock += 1000)).toISOString();

  // Plan every job's inputs first, so a cross-pipeline read can name a dataset of a later pipeline too.
  type Job = { pipeline: number; index: number; name: string; output: Dataset; inputs: Dataset[]; extra: Dataset | undefined };
  const plan: Job[][] = [];
  for (let p = 0; p < spec.pipelines; p += 1) {
    outputs.push(Array.from({ length: spec.jobsPerPipeline }, (_, j) => ({ namespace: storage, name: `p${p}/stage${j}` })));
  }
  for (let p = 0; p < spec.pipelines; p += 1) {
    const raw: Dataset = { namespace: storage, name: `p${p}/raw` };
    const row: Job[] = [];
    for (let j = 0; j < spec.jobsPerPipeline; j += 1) {
      const inputs: Dataset[] = [j === 0 ? raw : outputs[p]![j - 1]!];
      if (j >= 2 && random() < 0.3) inputs.push(outputs[p]![Math.max(0, j - 2 - Math.floor(random() * 4))]!);
      if (refs.length > 0 && random() < 0.2) inputs.push(refs[Math.floor(random() * refs.length)]!);
      if (spec.pipelines > 1 && j >= 1 && random() < 0.05) {
        const other = (p + 1 + Math.floor(random() * (spec.pipelines - 1))) % spec.pipelines;
        inputs.push(outputs[other]![Math.floor(random() * j)]!);
      }
      const extra = refs.length > 0 && runsPerJob > 1 && random() < 0.25 ? refs[Math.floor(random() * refs.length)] : undefined;
      row.push({
        pipeline: p,
        index: j,
        name: `p${p}.step_${String(j).padStart(3, '0')}`,
        output: outputs[p]![j]!,
        inputs: dedupe(inputs),
        extra,
      });
    }
    plan.push(row);
  }

  for (let run = 0; run < runsPerJob; run += 1) {
    for (const row of plan) {
      const p = row[0]?.pipeline ?? 0;
      const parent =
        p < (spec.withParent ?? 0)
          ? { job: { namespace: jobNamespace, name: `pipeline_${p}` }, run: { runId: uuidV7(clock, random) } }
          : undefined;
      for (const job of row) {
        const runId = uuidV7(clock + 1000, random);
        runCount += 1;
        const failed = failEvery > 0 && runCount % failEvery === 0;
        const inputs = dedupe(run > 0 && job.extra ? [...job.inputs, job.extra] : job.inputs);
        for (const d of [...inputs, job.output]) datasets.add(`${d.namespace}:${d.name}`);
        jobs.add(job.name);
        const runFacets = parent ? { parent: { _producer: PRODUCER, _schemaURL: PARENT_FACET, ...parent } } : {};
        const columns = 3 + ((job.index + job.pipeline) % 5);
        const base = { producer: PRODUCER, schemaURL: SCHEMA_URL, job: { namespace: jobNamespace, name: job.name, facets: {} } };
        events.push({
          ...base,
          eventType: 'START',
          eventTime: at(),
          run: { runId, facets: runFacets },
          inputs: inputs.map((d) => datasetRef(d, false, 0)),
          // The output's schema already at START, as Sluice's emitter does: Marquez makes an arbitrary one of a run's
          // output versions current on COMPLETE, so a field-less START version could win there (lineage/catalog/README.md).
          outputs: [datasetRef(job.output, true, columns)],
        });
        events.push({
          ...base,
          eventType: failed ? 'FAIL' : 'COMPLETE',
          eventTime: at(),
          run: { runId, facets: runFacets },
          inputs: inputs.map((d) => datasetRef(d, false, 0)),
          outputs: [datasetRef(job.output, true, columns)],
        });
      }
    }
  }
  const first = plan[0] ?? [];
  const last = first.at(-1);
  const middle = first[Math.floor(first.length / 2)];
  return {
    events,
    nodes: jobs.size + datasets.size,
    jobs: jobs.size,
    datasets: datasets.size,
    deepestDatasetNode: last ? `dataset:${last.output.namespace}:${last.output.name}` : '',
    // Marquez (and the catalog) store a job with a parent as `<parent>.<child>`.
    middleJobNode: middle ? `job:${jobNamespace}:${(spec.withParent ?? 0) > 0 ? 'pipeline_0.' : ''}${middle.name}` : '',
  };
}

function dedupe(list: Dataset[]): Dataset[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.namespace}:${d.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
