// A seeded event stream that exercises what Marquez's web UI shows: pipelines with parent jobs, runs that complete, fail,
// abort or are still running, schemas that change between runs, column lineage (deprecated and 1-2-0 transformations),
// data-quality facets, job types (labels), nominal times, a streaming job, a non-UUID run id, a DatasetEvent and a
// JobEvent, with event times spread over the last six days up to the current hour and written with and without
// fractions and offsets. The differential test posts it to Marquez and to the embedded catalog.
import { seededRandom } from '../../../examples/churn/generate-data.ts';

type Obj = Record<string, unknown>;

/** What to generate. */
export type VariedSpec = {
  readonly seed: number;
  /** The stream ends just before this instant (ms). @default Date.now() */
  readonly now?: number;
  /** Prefix of every namespace, so several streams can share a server. @default 'vx' */
  readonly prefix?: string;
};

/** The events in posting order, and names the test needs. */
export type VariedStream = {
  readonly events: Obj[];
  readonly jobNamespaces: string[];
  readonly datasetNamespaces: string[];
  /** Every `namespace:name` of a dataset whose output facets carry column lineage. */
  readonly columnLineageDatasets: string[];
};

const PRODUCER = 'https://github.com/sluice/sluice/tree/main/test/integration/marquez';
const RUN_EVENT = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent';
const DATASET_EVENT = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/DatasetEvent';
const JOB_EVENT = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/JobEvent';
const facet = (name: string, body: Obj): Obj => ({
  _producer: PRODUCER,
  _schemaURL: `https://openlineage.io/spec/facets/1-0-0/${name}.json#/$defs/${name}`,
  ...body,
});

type Field = { name: string; type: string };
type Ds = { namespace: string; name: string; source?: string; fields: Field[] };

const TYPES = ['BIGINT', 'DOUBLE', 'VARCHAR', 'BOOLEAN', 'TIMESTAMP'];

/** Generates the stream; the same seed and `now` give the same events. */
export function generateVariedEvents(spec: VariedSpec): VariedStream {
  const random = seededRandom(spec.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chance = (p: number) => random() < p;
  const p = spec.prefix ?? 'vx';
  const now = spec.now ?? Date.now();
  const jobsNs = `${p}-jobs`;
  const streamNs = `${p}-stream`;
  const lake = `s3://${p}-lake`;
  const warehouse = `${p}-warehouse`;
  const kafka = `kafka://${p}-broker:9092`;
  const events: Obj[] = [];
  const columnLineage = new Set<string>();

  // Times: events are stamped in abstract ticks, then spread from six days ago to a minute ago, in order, and written
  // in several ISO forms as producers do.
  const start = now - 6 * 86_400_000 + Math.floor(random() * 3_600_000);
  let clock = 0;
  const ticks = new Map<Obj, number>();
  const stamp = (ms: number): string => {
    const iso = new Date(ms).toISOString();
    const form = Math.floor(random() * 5);
    if (form === 0) return iso.replace(/\.\d{3}Z$/, 'Z'); // whole seconds
    if (form === 1) return iso.replace('Z', `${String(Math.floor(random() * 1000)).padStart(3, '0')}Z`); // microseconds
    if (form === 2) {
      const shifted = new Date(ms + 2 * 3_600_000).toISOString();
      return shifted.replace('Z', '+02:00');
    }
    if (form === 3) return iso.replace(/\.(\d)\d\dZ$/, '.$1Z'); // one fraction digit
    return iso;
  };

  const uuid = (): string => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
    hex[12] = '7';
    hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const fields = (n: number, prefix = 'c'): Field[] => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, type: pick(TYPES) }));

  const datasetFacets = (d: Ds, opts: { schema?: boolean; doc?: boolean; lifecycle?: string } = {}): Obj => {
    const f: Obj = {};
    if (opts.schema !== false && d.fields.length > 0) f['schema'] = facet('SchemaDatasetFacet', { fields: d.fields });
    if (d.source) f['dataSource'] = facet('DatasourceDatasetFacet', { name: d.source, uri: d.source });
    if (opts.doc) f['documentation'] = facet('DocumentationDatasetFacet', { description: `The ${d.name} table` });
    if (opts.lifecycle) f['lifecycleStateChange'] = facet('LifecycleStateChangeDatasetFacet', { lifecycleStateChange: opts.lifecycle });
    return f;
  };
  const ref = (d: Ds, facets: Obj = {}, extra: Obj = {}): Obj => ({ namespace: d.namespace, name: d.name, facets, ...extra });

  const runEvent = (e: {
    type?: string;
    ns: string;
    job: string;
    runId: string;
    runFacets?: Obj;
    jobFacets?: Obj;
    inputs?: Obj[];
    outputs?: Obj[];
  }): void => {
    clock += 1 + random() * 4;
    const event: Obj = {
      producer: PRODUCER,
      schemaURL: RUN_EVENT,
      run: { runId: e.runId, facets: e.runFacets ?? {} },
      job: { namespace: e.ns, name: e.job, facets: e.jobFacets ?? {} },
      inputs: e.inputs ?? [],
      outputs: e.outputs ?? [],
    };
    if (e.type !== undefined) event['eventType'] = e.type;
    ticks.set(event, clock);
    events.push(event);
  };
  const jobType = (processingType: string, integration: string, type: string): Obj =>
    facet('JobTypeJobFacet', { processingType, integration, jobType: type });

  // Reference tables in the warehouse: one with its source and schema, one with neither.
  const dims: Ds[] = [
    { namespace: warehouse, name: 'public.dim_customer', source: 'warehouse', fields: fields(3, 'd') },
    { namespace: warehouse, name: 'public.dim_region', fields: [] },
  ];

  // Pipelines: a parent job per pipeline, steps chained over the lake; some read a reference table.
  const pipelines = 2 + Math.floor(random() * 2);
  for (let pi = 0; pi < pipelines; pi += 1) {
    const steps = 3 + Math.floor(random() * 3);
    const parentName = `pipe${pi}`;
    const raw: Ds = { namespace: lake, name: `pipe${pi}/raw`, source: lake, fields: fields(3 + Math.floor(random() * 3)) };
    const stages: Ds[] = Array.from({ length: steps }, (_, s) => ({
      namespace: s === steps - 1 && chance(0.5) ? warehouse : lake,
      name: s === steps - 1 ? `public.pipe${pi}_out` : `pipe${pi}/stage${s}`,
      source: chance(0.8) ? lake : undefined,
      fields: fields(2 + Math.floor(random() * 4)),
    }));
    const readsDim = stages.map(() => (chance(0.35) ? pick(dims) : undefined));
    const stepFacets = stages.map((_, s) => {
      const f: Obj = {};
      if (chance(0.8)) f['jobType'] = jobType('BATCH', pick(['SLUICE', 'AIRFLOW', 'SPARK']), pick(['TASK', 'JOB', 'QUERY']));
      if (chance(0.4)) f['sql'] = facet('SQLJobFacet', { query: `SELECT * FROM stage${s}` });
      if (chance(0.3)) f['documentation'] = facet('DocumentationJobFacet', { description: `Step ${s} of pipeline ${pi}` });
      if (chance(0.3))
        f['sourceCodeLocation'] = facet('SourceCodeLocationJobFacet', { type: 'git', url: `https://git.example.com/p${pi}/s${s}` });
      return f;
    });
    const runs = 2 + Math.floor(random() * 2);
    for (let r = 0; r < runs; r += 1) {
      const last = r === runs - 1;
      const parentRun = uuid();
      const nominal = chance(0.5)
        ? {
            nominalTime: facet('NominalTimeRunFacet', {
              nominalStartTime: stamp(start + r * 86_400_000),
              nominalEndTime: stamp(start + r * 86_400_000 + 3_600_000),
            }),
          }
        : {};
      const parentFacets = {
        jobType: jobType('BATCH', 'SLUICE', 'PIPELINE'),
        ...(pi === 0 ? { documentation: facet('DocumentationJobFacet', { description: `Pipeline ${pi}` }) } : {}),
      };
      runEvent({ type: 'START', ns: jobsNs, job: parentName, runId: parentRun, runFacets: nominal, jobFacets: parentFacets });
      // A schema change in a later run: a stage gains a column.
      if (r > 0 && chance(0.6)) {
        const grown = pick(stages);
        grown.fields = [...grown.fields, { name: `added_r${r}`, type: pick(TYPES) }];
      }
      let failed = false;
      const stillRunning = last && pi === 0;
      for (let s = 0; s < steps; s += 1) {
        const runId = uuid();
        const input = s === 0 ? raw : stages[s - 1]!;
        const output = stages[s]!;
        const dim = readsDim[s];
        const inputs = [input, ...(dim ? [dim] : [])];
        const parent = { parent: facet('ParentRunFacet', { run: { runId: parentRun }, job: { namespace: jobsNs, name: parentName } }) };
        const name = `${parentName}.step${s}`;
        const inputRefs = (withFacets: boolean) =>
          inputs.map((d) =>
            ref(
              d,
              withFacets ? datasetFacets(d) : {},
              withFacets && s === steps - 1
                ? {
                    inputFacets: {
                      dataQualityAssertions: facet('DataQualityAssertionsDatasetFacet', {
                        assertions: [
                          { assertion: 'not_null', success: !failed, column: d.fields[0]?.name ?? 'c0' },
                          { assertion: 'row_count', success: true },
                        ],
                      }),
                    },
                  }
                : {},
            ),
          );
        // Column lineage from the output's fields to fields of inputs that have a schema.
        const sources = inputs.filter((d) => d.fields.length > 0);
        const lineageFields: Obj = {};
        if (sources.length > 0 && chance(0.7)) {
          const modern = chance(0.5);
          for (const f of output.fields) {
            if (chance(0.25)) continue;
            const from = pick(sources);
            const inField = pick(from.fields);
            const t = pick(['IDENTITY', 'TRANSFORMATION', 'AGGREGATION']);
            lineageFields[f.name] = modern
              ? {
                  inputFields: [
                    {
                      namespace: from.namespace,
                      name: from.name,
                      field: inField.name,
                      transformations: [{ type: 'DIRECT', subtype: t, description: `${t} of ${inField.name}` }],
                    },
                  ],
                }
              : {
                  inputFields: [{ namespace: from.namespace, name: from.name, field: inField.name }],
                  transformationDescription: `${t} of ${inField.name}`,
                  transformationType: t,
                };
          }
          columnLineage.add(`${output.namespace}:${output.name}`);
        }
        const outputFacets = (terminal: boolean): Obj => ({
          ...datasetFacets(output, { doc: s === 1, lifecycle: s === 0 && r > 0 ? 'OVERWRITE' : undefined }),
          ...(terminal && Object.keys(lineageFields).length > 0
            ? { columnLineage: facet('ColumnLineageDatasetFacet', { fields: lineageFields }) }
            : {}),
        });
        const common = { ns: jobsNs, job: name, runId, jobFacets: stepFacets[s] };
        runEvent({ ...common, type: 'START', runFacets: parent, inputs: inputRefs(false), outputs: [ref(output, outputFacets(false))] });
        if (stillRunning && s === 0) break; // left RUNNING: the last run of the first pipeline
        const fails = chance(0.15);
        const aborts = !fails && chance(0.05);
        const type = fails ? 'FAIL' : aborts ? 'ABORT' : 'COMPLETE';
        const runFacets: Obj = { ...parent };
        if (fails)
          runFacets['errorMessage'] = facet('ErrorMessageRunFacet', { message: `step ${s} failed: bad rows`, programmingLanguage: 'SQL' });
        const outputs = [
          ref(
            output,
            outputFacets(true),
            type === 'COMPLETE'
              ? { outputFacets: { outputStatistics: facet('OutputStatisticsOutputDatasetFacet', { rowCount: 100 + s * 7 }) } }
              : {},
          ),
        ];
        runEvent({ ...common, type, runFacets, inputs: inputRefs(true), outputs });
        if (type !== 'COMPLETE') {
          failed = true;
          break;
        }
      }
      if (!stillRunning)
        runEvent({ type: failed ? 'FAIL' : 'COMPLETE', ns: jobsNs, job: parentName, runId: parentRun, jobFacets: parentFacets });
    }
  }

  // A streaming job: a START, then an OTHER, never ending; its topic has a schema and no source facet.
  const topic: Ds = { namespace: kafka, name: 'orders-topic', fields: fields(2, 't') };
  const streamRun = uuid();
  const streamFacets = { jobType: jobType('STREAMING', 'FLINK', 'JOB') };
  runEvent({
    type: 'START',
    ns: streamNs,
    job: 'ingest.orders',
    runId: streamRun,
    jobFacets: streamFacets,
    outputs: [ref(topic, datasetFacets(topic))],
  });
  runEvent({
    type: 'OTHER',
    ns: streamNs,
    job: 'ingest.orders',
    runId: streamRun,
    jobFacets: streamFacets,
    outputs: [ref(topic, datasetFacets(topic))],
  });

  // A job with no datasets, run twice by hand with non-UUID run ids; a job whose START carries no facets at all.
  for (const id of [`${p}-manual-run-1`, `${p}-manual-run-2`]) {
    runEvent({ type: 'START', ns: jobsNs, job: 'maintenance.vacuum', runId: id });
    runEvent({ type: 'COMPLETE', ns: jobsNs, job: 'maintenance.vacuum', runId: id });
  }
  runEvent({ type: 'START', ns: jobsNs, job: 'adhoc.explore', runId: uuid(), inputs: [ref(dims[0]!, {})] });

  // A run whose COMPLETE arrives before its START (a retried delivery): the catalog orders its state by event time.
  const late = uuid();
  runEvent({ type: 'COMPLETE', ns: jobsNs, job: 'late.arrival', runId: late, outputs: [ref(dims[1]!, {})] });
  runEvent({ type: 'START', ns: jobsNs, job: 'late.arrival', runId: late, outputs: [ref(dims[1]!, {})] });
  const [complete, startEvent] = events.slice(-2) as [Obj, Obj];
  const [first, second] = [ticks.get(complete)!, ticks.get(startEvent)!];
  ticks.set(complete, second);
  ticks.set(startEvent, first);

  // A DatasetEvent (a table documented by a catalog tool) and a JobEvent (a job declared with its datasets).
  const declared: Ds = { namespace: warehouse, name: 'public.declared', source: 'warehouse', fields: fields(2, 'x') };
  const datasetEvent: Obj = {
    producer: PRODUCER,
    schemaURL: DATASET_EVENT,
    dataset: ref(declared, datasetFacets(declared, { doc: true })),
  };
  ticks.set(datasetEvent, (clock += 2));
  events.push(datasetEvent);
  const jobEvent: Obj = {
    producer: PRODUCER,
    schemaURL: JOB_EVENT,
    job: { namespace: jobsNs, name: 'declared.export', facets: { jobType: jobType('BATCH', 'DBT', 'MODEL') } },
    inputs: [ref(declared, {})],
    outputs: [{ namespace: lake, name: 'exports/declared', facets: {} }],
  };
  ticks.set(jobEvent, (clock += 2));
  events.push(jobEvent);

  const msPerTick = (now - 60_000 - start) / clock;
  for (const event of events) event['eventTime'] = stamp(start + Math.round(ticks.get(event)! * msPerTick));

  return {
    events,
    jobNamespaces: [jobsNs, streamNs],
    datasetNamespaces: [lake, warehouse, kafka],
    columnLineageDatasets: [...columnLineage].sort(),
  };
}
