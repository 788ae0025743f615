import { facets, runEvent, type Facet, type InputDataset, type OutputDataset, type RunEvent } from '../../../lineage/index.ts';
import { withColumnTransformationSummary } from '../../runtime/lineage/step-lineage.ts';

/** One input or output of a training-set run as lineage names it, with what was read or written when known. */
export interface TrainingDataset {
  readonly namespace: string;
  readonly name: string;
  readonly fields?: ReadonlyArray<{ name: string; type: string }>;
  readonly version?: string;
  readonly rows?: number;
  readonly bytes?: number;
  readonly files?: number;
  /** The batches read (`batch=<id>` partitions), for an input read from a dataset. */
  readonly batches?: readonly string[];
  readonly columnLineage?: facets.ColumnLineageDatasetFacet;
}

/** The job and run a training set is built in. */
export interface TrainingRun {
  readonly namespace: string;
  readonly job: string;
  readonly runId: string;
}

/**
 * An event of a training-set run: a job of its own (`<pipeline>.training_set` by default) whose inputs are the labels
 * and each feature table at the version read, and whose output is the Parquet file with its column lineage.
 */
export function trainingSetEvent(
  run: TrainingRun,
  eventType: 'START' | 'COMPLETE' | 'FAIL',
  io: { readonly inputs: readonly TrainingDataset[]; readonly output: TrainingDataset },
  error?: unknown,
): RunEvent {
  const runFacets: Record<string, Facet> = { processing_engine: facets.processingEngineRunFacet() };
  if (error !== undefined) {
    runFacets.errorMessage = facets.errorMessageRunFacet({
      message: error instanceof Error ? error.message : String(error),
      programmingLanguage: 'typescript',
    });
  }
  const final = eventType !== 'START';
  return runEvent({
    eventType,
    run: { runId: run.runId, facets: runFacets },
    job: {
      namespace: run.namespace,
      name: run.job,
      facets: { jobType: facets.jobTypeJobFacet({ processingType: 'BATCH', integration: 'SLUICE', jobType: 'JOB' }) },
    },
    inputs: io.inputs.map((d) => input(d, final)),
    outputs: eventType === 'COMPLETE' ? [output(io.output)] : [{ namespace: io.output.namespace, name: io.output.name } as OutputDataset],
  });
}

function datasetFacets(d: TrainingDataset): Record<string, Facet> {
  return {
    dataSource: facets.dataSourceDatasetFacet({ name: d.namespace, uri: d.namespace }),
    ...(d.fields ? { schema: facets.schemaDatasetFacet({ fields: d.fields.map((f) => ({ name: f.name, type: f.type })) }) } : {}),
    ...(d.version ? { version: facets.datasetVersionDatasetFacet({ datasetVersion: d.version }) } : {}),
    ...(d.columnLineage ? { columnLineage: withColumnTransformationSummary(d.columnLineage) } : {}),
  };
}

function input(d: TrainingDataset, final: boolean): InputDataset {
  const inputFacets: Record<string, Facet> = {};
  if (final && d.rows !== undefined) {
    inputFacets.inputStatistics = facets.inputStatisticsInputDatasetFacet({ rowCount: d.rows, size: d.bytes, fileCount: d.files });
  }
  if (d.batches?.length) {
    inputFacets.subset = facets.inputSubsetInputDatasetFacet({
      inputCondition: { type: 'partition', partitions: d.batches.map((b) => ({ dimensions: { batch: b } })) },
    });
  }
  return { namespace: d.namespace, name: d.name, facets: datasetFacets(d), inputFacets } as InputDataset;
}

function output(d: TrainingDataset): OutputDataset {
  return {
    namespace: d.namespace,
    name: d.name,
    facets: datasetFacets(d),
    outputFacets: {
      ...(d.rows !== undefined
        ? { outputStatistics: facets.outputStatisticsOutputDatasetFacet({ rowCount: d.rows, size: d.bytes, fileCount: 1 }) }
        : {}),
    },
  } as OutputDataset;
}
