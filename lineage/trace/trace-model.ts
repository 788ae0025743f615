/**
 * A data-quality assertion that did not hold on a dataset version: `failed` when it blocks (severity `error`, or none
 * given), `warned` when its severity is `warn` (or `warning`, `info`): it only reports.
 */
export type FailedAssertion = {
  assertion: string;
  outcome: 'failed' | 'warned';
  name?: string;
  column?: string;
  expected?: string;
  actual?: string;
  severity?: string;
};

/** A dataset version as a trace shows it. */
export type TracedVersion = {
  namespace: string;
  name: string;
  version: string;
  /** The producer's own version label (`version` facet), e.g. a content hash. */
  label?: string;
  /** The partition or batch (`subset` facet), e.g. `batch=customers-bad-2000-…`. */
  subset?: string;
  rowCount?: number;
  failedAssertions: FailedAssertion[];
  producedByRunId?: string;
};

/** A run as a trace shows it. */
export type TracedRun = {
  id: string;
  job: { namespace: string; name: string };
  state: string;
  startedAt?: string;
  endedAt?: string;
  error?: string;
};

/** One run in the upstream chain and the dataset versions it read. */
export type UpstreamStep = { run: TracedRun; read: TracedVersion[] };

/** Something upstream that failed or looks anomalous: a dataset version with failed assertions, or a failed run. */
export type RootCause = { kind: 'dataset-version'; version: TracedVersion; readBy: string } | { kind: 'run'; run: TracedRun };

/** What `sluice trace` reports for a failed run or a bad dataset version. */
export type TraceReport = {
  node: string;
  /** The run traced (the failed run, the latest run of a job, or the run that wrote a dataset version). */
  run?: TracedRun;
  /** The dataset version traced, when the node is a dataset. */
  dataset?: TracedVersion;
  upstream: UpstreamStep[];
  rootCauses: RootCause[];
  /** What the traced run wrote; `quarantined` when the run failed, so the data went aside instead of downstream. */
  written: (TracedVersion & { quarantined: boolean })[];
  downstream: {
    jobs: { namespace: string; name: string }[];
    datasets: { namespace: string; name: string }[];
    /** Runs of downstream jobs that read a version the incident wrote (the blast radius in time). */
    runs: (TracedRun & { read: string[] })[];
  };
};
