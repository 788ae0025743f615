// Marquez's HTTP API (`/api/v1`) as JSON types: the embedded catalog writes these answers, `sluice trace` and the
// lineage page read them, so both sides are checked against one description. They follow Marquez 0.51's answers
// (reference: marquez-openapi.yml) where the catalog serves them, plus the catalog's extensions, marked as such.
import type { LineageEvent } from '../client/event.ts';
import type { ErrorMessageRunFacet, ParentRunFacet } from '../client/run-facets.ts';
import type { DatasetVersionDatasetFacet } from '../client/dataset-facets.ts';
import type {
  DataQualityAssertionsDatasetFacet,
  DataQualityMetricsInputDatasetFacet,
  InputStatisticsInputDatasetFacet,
  OutputStatisticsOutputDatasetFacet,
  SubsetCondition,
} from '../client/dataset-io-facets.ts';

/** A facet as its producer sent it: `_producer`, `_schemaURL` and its own fields. */
export type ApiFacet = { _producer: string; _schemaURL: string; [field: string]: unknown };

// Facets are whatever the producer sent; the standard ones Sluice reads are typed as OpenLineage defines them, and a
// reader still checks the fields it relies on (another producer's facet may be malformed).

/** A run's facets by name (Marquez's `RunFacets`). */
export type RunFacets = {
  errorMessage?: ErrorMessageRunFacet;
  parent?: ParentRunFacet;
  [name: string]: ApiFacet | undefined;
};

/** A job's facets by name (Marquez's `JobFacets`). */
export type JobFacets = { [name: string]: ApiFacet | undefined };

/** The `subset` facet as Marquez stores it: one name for the input and the output facet, so either condition. */
export type SubsetFacet = ApiFacet & { inputCondition?: SubsetCondition; outputCondition?: SubsetCondition };

/** A dataset's or dataset version's facets by name, including the input and output facets of a run (`DatasetFacets`). */
export type DatasetFacets = {
  version?: DatasetVersionDatasetFacet;
  subset?: SubsetFacet;
  dataQualityAssertions?: DataQualityAssertionsDatasetFacet;
  dataQualityMetrics?: DataQualityMetricsInputDatasetFacet;
  inputStatistics?: InputStatisticsInputDatasetFacet;
  outputStatistics?: OutputStatisticsOutputDatasetFacet;
  [name: string]: ApiFacet | undefined;
};

/** `{namespace, name}` of a job or dataset (`JobId`, `DatasetId`). */
export type NodeRef = { namespace: string; name: string };

/** A dataset version's identity (`DatasetVersionId`). */
export type DatasetVersionId = { namespace: string; name: string; version: string };

/** A job version's identity (`JobVersionId`). */
export type JobVersionId = { namespace: string; name: string; version: string };

/** A namespace (`GET /namespaces/{ns}`). */
export type Namespace = {
  name: string;
  createdAt: string;
  updatedAt: string;
  ownerName: string;
  description: string | null;
  isHidden: boolean;
};

/** `GET /namespaces`. */
export type NamespaceList = { namespaces: Namespace[] };

/** A run's state as Marquez names it. */
export type RunState = 'NEW' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'ABORTED';

/** A dataset version a run read or wrote, with the input or output facets of that run. */
export type RunDatasetVersion = { datasetVersionId: DatasetVersionId; facets: DatasetFacets };

/** A run (`GET /jobs/runs/{id}`). */
export type Run = {
  id: string;
  createdAt: string;
  updatedAt: string;
  nominalStartTime: string | null;
  nominalEndTime: string | null;
  state: RunState;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  /** Marquez keeps `nominal_start_time`/`nominal_end_time` and the parent run's `run_id`, `name`, `namespace` here. */
  args: Record<string, string>;
  /** Null until the run's terminal event. */
  jobVersion: JobVersionId | null;
  inputDatasetVersions: RunDatasetVersion[];
  outputDatasetVersions: RunDatasetVersion[];
  facets: RunFacets;
};

/** `GET /namespaces/{ns}/jobs/{job}/runs`. */
export type RunList = { runs: Run[]; totalCount: number };

/** `GET /jobs/runs/{id}/facets?type=run|job`. */
export type RunFacetsAnswer = { runId: string; facets: RunFacets | JobFacets };

/** What a job is in a lineage graph node (`data` of a JOB node): a job without facets, tags and latest runs. */
export type JobSummary = {
  id: NodeRef;
  type: string;
  name: string;
  simpleName: string;
  parentJobName: string | null;
  parentJobUuid: string | null;
  createdAt: string;
  updatedAt: string;
  namespace: string;
  /** The datasets the current job version read and wrote. */
  inputs: NodeRef[];
  outputs: NodeRef[];
  location: string | null;
  description: string | null;
  latestRun: Run | null;
};

/** The `data` of a JOB node in `/lineage`. */
export type JobNodeData = JobSummary & { currentRunUuid: string | null };

/** A job (`GET /namespaces/{ns}/jobs/{job}`). */
export type Job = JobSummary & {
  /** The latest ten runs, newest first; null for a job that never ran (as Marquez). */
  latestRuns: Run[] | null;
  facets: JobFacets;
  currentVersion: string | null;
  labels: string[];
  tags: string[];
};

/** `DELETE /namespaces/{ns}/jobs/{job}`: the job as it was just before, without its outputs and runs (as Marquez). */
export type DeletedJob = Omit<Job, 'outputs' | 'latestRun' | 'latestRuns'> & { outputs: []; latestRun: null; latestRuns: null };

/** `GET /jobs`, `GET /namespaces/{ns}/jobs`. */
export type JobList = { jobs: Job[]; totalCount: number };

/** A field of a dataset or dataset version, with its tags. */
export type DatasetField = { name: string; type: string | null; tags: string[]; description: string | null };

/** One input column of an output column (`Dataset.columnLineage[].inputFields[]`). */
export type ColumnLineageInput = {
  namespace: string;
  dataset: string;
  field: string;
  transformationDescription: string | null;
  transformationType: string | null;
};

/** The inputs of one column of a dataset (`Dataset.columnLineage[]`), and (deprecated) its first input's transformation. */
export type ColumnLineage = {
  name: string;
  inputFields: ColumnLineageInput[];
  transformationDescription: string | null;
  transformationType: string | null;
};

/** What a dataset is in a lineage graph node (`data` of a DATASET node): a dataset without facets and versions. */
export type DatasetSummary = {
  id: NodeRef;
  type: 'DB_TABLE';
  name: string;
  physicalName: string;
  createdAt: string;
  updatedAt: string;
  namespace: string;
  sourceName: string;
  fields: DatasetField[];
  tags: string[];
  lastModifiedAt: string | null;
  description: string | null;
  lastLifecycleState: string | null;
};

/** A dataset (`GET /namespaces/{ns}/datasets/{ds}`). */
export type Dataset = DatasetSummary & {
  currentVersion: string | null;
  columnLineage: ColumnLineage[] | null;
  /** The facets of the current version, including the input facets runs reported for it. */
  facets: DatasetFacets;
  deleted: boolean;
};

/** `DELETE /namespaces/{ns}/datasets/{ds}`: the dataset as it was just before, without its column lineage (as Marquez). */
export type DeletedDataset = Omit<Dataset, 'columnLineage'> & { columnLineage: null };

/** `GET /namespaces/{ns}/datasets`. */
export type DatasetList = { datasets: Dataset[]; totalCount: number };

/** A dataset version (`GET /namespaces/{ns}/datasets/{ds}/versions/{v}`), with the run that wrote it. */
export type DatasetVersion = {
  /** The dataset's id (Marquez puts no version in it). */
  id: NodeRef;
  type: 'DB_TABLE';
  name: string;
  physicalName: string;
  createdAt: string;
  version: string;
  namespace: string;
  sourceName: string;
  fields: DatasetField[];
  tags: string[];
  /** The `lifecycleStateChange` the version was written with, `''` without one. */
  lifecycleState: string;
  description: string | null;
  /** A name-based UUID of the dataset and its `field:type` pairs: equal schemas, equal ids. */
  currentSchemaVersion: string;
  createdByRun: Run | null;
  facets: DatasetFacets;
};

/** `GET /namespaces/{ns}/datasets/{ds}/versions`. */
export type DatasetVersionList = { versions: DatasetVersion[]; totalCount: number };

/** An edge of a lineage graph, from the node that feeds to the node fed. */
export type GraphEdge = { origin: string; destination: string };

/** A node of `/lineage`: a job or a dataset, with the edges of the current job versions. */
export type LineageNode =
  | { id: string; type: 'JOB'; data: JobNodeData; inEdges: GraphEdge[]; outEdges: GraphEdge[] }
  | { id: string; type: 'DATASET'; data: DatasetSummary; inEdges: GraphEdge[]; outEdges: GraphEdge[] };

/** `GET /lineage?nodeId&depth` (and the catalog's `direction` extension). */
export type LineageGraph = { graph: LineageNode[] };

/** An input column of a column-lineage node, in the dataset's current version. */
export type ColumnLineageNodeInput = ColumnLineageInput & { datasetVersion: string | null };

/** A DATASET_FIELD node of `/column-lineage`. */
export type ColumnLineageNode = {
  id: string;
  type: 'DATASET_FIELD';
  data: {
    namespace: string;
    dataset: string;
    datasetVersion: string | null;
    field: string;
    fieldType: string | null;
    transformationDescription: string | null;
    transformationType: string | null;
    inputFields: ColumnLineageNodeInput[];
  };
  inEdges: GraphEdge[];
  outEdges: GraphEdge[];
};

/** `GET /column-lineage?nodeId&depth&withDownstream`. */
export type ColumnLineageGraph = { graph: ColumnLineageNode[] };

/** A run in run lineage: its job version and times. */
type RunLineageBase = {
  job: { namespace: string; name: string; version: string | null };
  run: { id: string; start: string | null; end: string | null; status: RunState };
};

/** One run of `/runlineage/upstream`: the dataset versions it read and the runs that wrote them. */
export type UpstreamRunLineage = RunLineageBase & {
  inputs: { namespace: string; name: string; version: string; producedByRunId: string | null }[];
};

/** One run of `/runlineage/downstream` (catalog extension): the dataset versions it wrote and the runs that read them. */
export type DownstreamRunLineage = RunLineageBase & {
  outputs: { namespace: string; name: string; version: string; consumedByRunId: string | null }[];
};

/** `GET /runlineage/upstream` and (extension) `/runlineage/downstream`. */
export type RunLineage = { runs: (UpstreamRunLineage | DownstreamRunLineage)[] };

/** One hit of `/search`; `nodeId` is the node's id in `/lineage`. */
export type SearchResult = { type: 'JOB' | 'DATASET'; name: string; updatedAt: string; namespace: string; nodeId: string };

/** `GET /search?q&filter&sort&limit`. */
export type SearchResultList = { totalCount: number; results: SearchResult[] };

/** `GET /events/lineage`: the raw run events as they were posted. */
export type LineageEventList = { events: LineageEvent[]; totalCount: number };

/** A tag (`Tag`). */
export type Tag = { name: string; description: string | null };

/** `GET /tags`, `PUT /tags/{tag}`. */
export type TagList = { tags: Tag[] };

/** The body of an error answer (4xx, 5xx); a rejected event (422) lists every problem in `errors`. */
export type ApiError = { code: number; message: string; errors?: string[] };

/** The period of a dashboard chart: the last 24 hours (hourly buckets) or the last 7 days (daily buckets). */
export type StatsPeriod = 'DAY' | 'WEEK';

/** One bucket of `GET /stats/lineage-events`: run events by type whose event time falls in it. */
export type LineageEventStats = {
  startInterval: string;
  endInterval: string;
  fail: number;
  start: number;
  complete: number;
  abort: number;
};

/** One bucket of `GET /stats/jobs|datasets|sources`: how many existed by the bucket's end (a running total). */
export type IntervalStats = { startInterval: string; endInterval: string; count: number };
