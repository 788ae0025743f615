import {
  facets,
  runEvent,
  type Facet,
  type InputDataset,
  type OutputDataset,
  type RunEvent,
  type SafeEmitter,
} from '../../../lineage/index.ts';
import type { DatasetSpec } from '../../definition/pipeline-schema.ts';
import { invocationState, type StepInvocation } from '../../asl/step-invocation.ts';
import { DUCKDB_TYPES } from '../duckdb.ts';
import { datasetIdentity, pipelineRunId, stepRunId } from './run-ids.ts';

/** A field of a dataset schema as lineage reports it. */
export interface LineageField {
  readonly name: string;
  readonly type: string;
}

/** One data-quality assertion, as the `dataQualityAssertions` facet carries it. */
export interface Assertion {
  readonly assertion: string;
  readonly success: boolean;
  readonly column?: string;
  readonly severity: 'error' | 'warn';
  readonly name: string;
  readonly expected: string;
  readonly actual: string;
}

/** Per-column data-quality metrics for the `dataQualityMetrics` facet. */
export interface ColumnMetrics {
  readonly nullCount?: number;
  readonly distinctCount?: number;
  readonly sum?: number;
  readonly count?: number;
  readonly min?: number;
  readonly max?: number;
  /** Quantile (as text, e.g. "0.5") → value. */
  readonly quantiles?: Record<string, number>;
}

/** What a step observed about one dataset it read or wrote. */
export interface DatasetObservation {
  readonly version?: string;
  readonly fields?: readonly LineageField[];
  readonly rowCount?: number;
  readonly bytes?: number;
  readonly fileCount?: number;
  readonly partition?: { readonly key: string; readonly value: string };
  /** Several partitions read at once (the batches of a table); takes the place of `partition`. */
  readonly partitions?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly assertions?: readonly Assertion[];
  readonly metrics?: { readonly rowCount: number; readonly columnMetrics: Record<string, ColumnMetrics> };
  /** Further dataset facets the step computed, such as an output's `columnLineage`. */
  readonly facets?: Readonly<Record<string, Facet>>;
  /** Further input facets (an input only), such as Sluice's `sluice_ingest`. */
  readonly inputFacets?: Readonly<Record<string, Facet>>;
}

/** The job of a scoring step's planning run, when its input turned out large enough to score in shards. */
export function scorePlanState(step: string): string {
  return `${step}.plan`;
}

/**
 * The lineage of one step run: START when it begins, then exactly one COMPLETE or FAIL carrying everything
 * the step recorded about the datasets it read and wrote. Delivery never throws into the step.
 */
export class StepLineage {
  #runId: string;
  /** The state the run's job is named after, when it is not the invocation's own (a scoring step's plan). */
  #jobState: string | undefined;
  /** START is held back until the run knows what it is (a scoring Task may turn out to be only a plan). */
  readonly #deferStart: boolean;
  #startPending = false;
  readonly #invocation: StepInvocation;
  readonly #emitter: SafeEmitter;
  readonly #inputs = new Map<string, DatasetObservation>();
  readonly #outputs = new Map<string, DatasetObservation>();
  readonly #artifacts = new Map<string, { namespace: string; name: string; observation: DatasetObservation }>();

  constructor(invocation: StepInvocation, emitter: SafeEmitter, declared: { inputs: string[]; outputs: string[]; deferStart?: boolean }) {
    this.#invocation = invocation;
    this.#emitter = emitter;
    this.#deferStart = declared.deferStart ?? false;
    this.#runId = stepRunId(invocation.execution.id, invocationState(invocation), invocation.attempt);
    for (const ref of declared.inputs) this.#inputs.set(ref, {});
    for (const ref of declared.outputs) this.#outputs.set(ref, {});
  }

  /** Adds what the step learned about a dataset it read (merged over earlier observations). */
  input(ref: string, observation: DatasetObservation): void {
    this.#inputs.set(ref, { ...this.#inputs.get(ref), ...observation });
  }

  /** Adds what the step learned about a dataset it wrote. */
  output(ref: string, observation: DatasetObservation): void {
    this.#outputs.set(ref, { ...this.#outputs.get(ref), ...observation });
  }

  /** An input that is not a pipeline dataset, such as a model artifact (an S3 object, or a registry's model version). */
  artifact(identity: { namespace: string; name: string }, observation: DatasetObservation): void {
    this.#artifacts.set(`${identity.namespace}/${identity.name}`, { ...identity, observation });
  }

  /** Declared outputs that the step decided not to write this time (a quarantined batch is not published). */
  dropOutput(ref: string): void {
    this.#outputs.delete(ref);
  }

  /** The run's id (a run that became a plan has the plan's). */
  get runId(): string {
    return this.#runId;
  }

  /** Emits START, or (deferred) holds it until {@link begin}, {@link asJob} or the run's end. */
  async start(): Promise<unknown> {
    if (this.#deferStart) {
      this.#startPending = true;
      return undefined;
    }
    return this.#emitter.emit(this.#event('START'));
  }

  /** Emits a held-back START: the run is the step's own. */
  async begin(): Promise<unknown> {
    if (!this.#startPending) return undefined;
    this.#startPending = false;
    return this.#emitter.emit(this.#event('START'));
  }

  /**
   * Makes a run whose START is still held back a run of another job, named after `state`, with its own run id (a
   * scoring Task that only plans shards is the step's plan run; the gather is then the step's run), and starts it.
   */
  async asJob(state: string): Promise<unknown> {
    if (!this.#startPending) throw new Error(`the run already started as ${this.#jobName()}; it cannot become ${state}`);
    this.#jobState = state;
    this.#runId = stepRunId(this.#invocation.execution.id, state, this.#invocation.attempt);
    return this.begin();
  }

  async complete(): Promise<unknown> {
    await this.begin();
    return this.#emitter.emit(this.#event('COMPLETE'));
  }

  async fail(error: unknown): Promise<unknown> {
    await this.begin();
    return this.#emitter.emit(this.#event('FAIL', error));
  }

  #jobName(): string {
    return `${this.#invocation.pipeline.name}.${this.#jobState ?? invocationState(this.#invocation)}`;
  }

  #event(eventType: 'START' | 'COMPLETE' | 'FAIL', error?: unknown): RunEvent {
    const { pipeline, execution, trigger, parent } = this.#invocation;
    const parentJob = { namespace: pipeline.namespace, name: pipeline.name };
    // A backfill's child steps belong to the backfill's pipeline run, not to a run of their own.
    const parentRun = { runId: pipelineRunId(parent?.executionId ?? execution.id) };
    const runFacets: Record<string, Facet> = {
      parent: facets.parentRunFacet({ job: parentJob, run: parentRun, root: { job: parentJob, run: parentRun } }),
      processing_engine: facets.processingEngineRunFacet(),
    };
    if (trigger.kind === 'schedule') runFacets.nominalTime = facets.nominalTimeRunFacet({ nominalStartTime: trigger.nominalTime });
    if (error !== undefined) {
      runFacets.errorMessage = facets.errorMessageRunFacet({
        message: error instanceof Error ? error.message : String(error),
        programmingLanguage: 'typescript',
        ...(error instanceof Error && error.stack ? { stackTrace: error.stack } : {}),
      });
    }
    const final = eventType !== 'START';
    return runEvent({
      eventType,
      run: { runId: this.#runId, facets: runFacets },
      job: {
        namespace: pipeline.namespace,
        name: this.#jobName(),
        facets: { jobType: facets.jobTypeJobFacet({ processingType: 'BATCH', integration: 'SLUICE', jobType: 'TASK' }) },
      },
      inputs: [
        ...[...this.#inputs].map(([ref, obs]) => this.#input(ref, obs, final)),
        ...[...this.#artifacts.values()].map(({ namespace, name, observation }) => ({
          namespace,
          name,
          facets: {
            dataSource: facets.dataSourceDatasetFacet({ name: namespace, uri: namespace }),
            ...(observation.version ? { version: facets.datasetVersionDatasetFacet({ datasetVersion: observation.version }) } : {}),
            ...observation.facets,
          },
        })),
      ],
      // Marquez versions an output by (schema fields, run): a START naming an output without the schema its
      // COMPLETE will carry adds a second, field-less version of the run, and on COMPLETE Marquez makes either
      // one current (no order). So START names only outputs whose schema is already known.
      outputs: [...this.#outputs]
        .filter(([ref, obs]) => final || this.#fields(ref, obs) !== undefined)
        .map(([ref, obs]) => this.#output(ref, obs, final)),
    });
  }

  #fields(ref: string, obs: DatasetObservation): readonly LineageField[] | undefined {
    return obs.fields ?? this.#dataset(ref).columns?.map((c) => ({ name: c.name, type: DUCKDB_TYPES[c.type] }));
  }

  #datasetFacets(dataset: DatasetSpec, obs: DatasetObservation): Record<string, unknown> {
    const identity = datasetIdentity(dataset);
    const fields = obs.fields ?? dataset.columns?.map((c) => ({ name: c.name, type: DUCKDB_TYPES[c.type] }));
    return {
      dataSource: facets.dataSourceDatasetFacet({ name: identity.namespace, uri: identity.namespace }),
      ...(fields ? { schema: facets.schemaDatasetFacet({ fields: fields.map((f) => ({ name: f.name, type: f.type })) }) } : {}),
      ...(obs.version ? { version: facets.datasetVersionDatasetFacet({ datasetVersion: obs.version }) } : {}),
      ...obs.facets,
      ...(obs.facets?.columnLineage ? { columnLineage: withColumnTransformationSummary(obs.facets.columnLineage) } : {}),
    };
  }

  #input(ref: string, obs: DatasetObservation, final: boolean): InputDataset {
    const dataset = this.#dataset(ref);
    const inputFacets: Record<string, Facet> = { ...obs.inputFacets };
    if (final && obs.rowCount !== undefined) {
      inputFacets.inputStatistics = facets.inputStatisticsInputDatasetFacet({
        rowCount: obs.rowCount,
        size: obs.bytes,
        fileCount: obs.fileCount,
      });
    }
    if (obs.assertions) inputFacets.dataQualityAssertions = facets.dataQualityAssertionsDatasetFacet({ assertions: [...obs.assertions] });
    if (obs.metrics) inputFacets.dataQualityMetrics = facets.dataQualityMetricsInputDatasetFacet(obs.metrics);
    const partitions = obs.partitions ?? (obs.partition ? [obs.partition] : []);
    if (partitions.length > 0) inputFacets.subset = facets.inputSubsetInputDatasetFacet({ inputCondition: partitionCondition(partitions) });
    return { ...datasetIdentity(dataset), facets: this.#datasetFacets(dataset, obs), inputFacets } as InputDataset;
  }

  #output(ref: string, obs: DatasetObservation, final: boolean): OutputDataset {
    const dataset = this.#dataset(ref);
    const outputFacets: Record<string, Facet> = {};
    if (final && obs.rowCount !== undefined) {
      outputFacets.outputStatistics = facets.outputStatisticsOutputDatasetFacet({
        rowCount: obs.rowCount,
        size: obs.bytes,
        fileCount: obs.fileCount,
      });
    }
    if (obs.partition)
      outputFacets.subset = facets.outputSubsetOutputDatasetFacet({ outputCondition: partitionCondition([obs.partition]) });
    return { ...datasetIdentity(dataset), facets: this.#datasetFacets(dataset, obs), outputFacets } as OutputDataset;
  }

  #dataset(ref: string): DatasetSpec {
    const dataset = this.#invocation.datasets[ref];
    if (!dataset) throw new Error(`dataset ${ref} is not part of step ${this.#invocation.step.name}`);
    return dataset;
  }
}

/** A `subset` condition naming partitions (`batch=<id>`). */
function partitionCondition(partitions: ReadonlyArray<{ key: string; value: string }>): {
  type: 'partition';
  partitions: Array<{ dimensions: Record<string, unknown> }>;
} {
  return { type: 'partition', partitions: partitions.map((p) => ({ dimensions: { [p.key]: p.value } })) };
}

type ColumnLineageBody = {
  fields?: Record<
    string,
    { inputFields?: Array<{ name: string; field: string; transformations?: facets.ColumnTransformation[] }> } & Record<string, unknown>
  >;
};

/**
 * Adds each column's `transformationType`/`transformationDescription` (deprecated in the spec, kept beside
 * `transformations[]`) because Marquez stores and shows only those: without them its column lineage says null.
 */
export function withColumnTransformationSummary(facet: Facet): Facet {
  const body = facet as Facet & ColumnLineageBody;
  if (!body.fields) return facet;
  const fields: Record<string, unknown> = {};
  for (const [column, entry] of Object.entries(body.fields)) {
    const inputs = entry.inputFields ?? [];
    const all = inputs.flatMap((i) => i.transformations ?? []);
    if (inputs.length === 0 || all.length === 0 || entry.transformationType !== undefined) {
      fields[column] = entry;
      continue;
    }
    const identity = all.every((t) => t.type === 'DIRECT' && t.subtype === 'IDENTITY');
    const transformationType = all.some((t) => t.masking) ? 'MASKED' : identity ? 'IDENTITY' : 'TRANSFORMATION';
    const transformationDescription = inputs
      .map((i) => `${(i.transformations ?? []).map((t) => t.description ?? t.subtype ?? t.type).join('+')} of ${i.name}.${i.field}`)
      .join('; ');
    fields[column] = { ...entry, transformationType, transformationDescription };
  }
  return { ...body, fields } as Facet;
}
