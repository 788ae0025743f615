import { PRODUCER, type Facet } from '../../../lineage/index.ts';

/** The schema of Sluice's model facet, kept in this repository's docs. */
export const MODEL_FACET_SCHEMA_URL = `${PRODUCER.replace('/tree/', '/blob/')}/docs/facets/SluiceModelDatasetFacet.json`;

/** What a scoring run records about a model it took from a registry: which version, trained by which run, which file. */
export interface ModelFacetBody {
  readonly registry: 'mlflow';
  /** The tracking server, without credentials. */
  readonly trackingUri: string;
  readonly name: string;
  readonly version: string;
  /** The alias the step asked for, when it asked by alias. */
  readonly alias?: string;
  /** The MLflow run that logged the model. */
  readonly runId?: string;
  readonly loggedModelId?: string;
  /** The version's source as MLflow stores it (informative: Sluice reads the download URI). */
  readonly source?: string;
  readonly artifactUri: string;
  /** The file scored with: its path in the model directory, the flavor it came from, and its content's identity. */
  readonly file: {
    readonly path: string;
    readonly flavor: string;
    readonly sha256: string;
    readonly bytes: number;
    readonly etag?: string;
    readonly versionId?: string;
  };
  readonly mlflowVersion?: string;
  /** The model as Sluice read it: xgboost, logistic_regression or linear_regression (absent when it could not be read). */
  readonly modelType?: string;
}

/** The `sluice_model` dataset facet of a registry model a scoring run read. */
export function modelFacet(body: ModelFacetBody): Facet {
  return { _producer: PRODUCER, _schemaURL: MODEL_FACET_SCHEMA_URL, ...body } as Facet;
}
