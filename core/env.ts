/**
 * The environment variables Sluice's own code writes and reads; the writer (a construct, the local runner) and the
 * reader (a handler) use these names, never literals. OpenLineage's own variables belong to the lineage client.
 */
export const SLUICE_ENV = {
  /** Where undelivered lineage events are kept: `s3://bucket/prefix` in Lambda, a directory locally. */
  lineageOutbox: 'SLUICE_LINEAGE_OUTBOX',
  /** ARN of the Secrets Manager secret holding the OpenLineage API key (never the key itself). */
  lineageApiKeySecretArn: 'SLUICE_LINEAGE_API_KEY_SECRET_ARN',
  /** The pipeline's name, namespace and datasets as JSON, for the pipeline-run lineage function. */
  pipeline: 'SLUICE_PIPELINE',
  /** The module exporting a feature step's TypeScript transform. */
  pipelineModule: 'SLUICE_PIPELINE_MODULE',
  /** DuckDB threads per step (default: one per vCPU; in Lambda, the vCPUs its memory size gives). */
  duckdbThreads: 'SLUICE_DUCKDB_THREADS',
  /** Where a step's scratch directories go (default: the OS temporary directory); local runs use their state directory. */
  scratchDir: 'SLUICE_SCRATCH_DIR',
  /** DuckDB's memory limit per step, in MB (default: DuckDB's own; in Lambda, sized from the function's memory). */
  duckdbMemoryMb: 'SLUICE_DUCKDB_MEMORY_MB',
  /** Set by the local runner: the embedded S3's directory, so steps read objects where it keeps them. */
  embeddedS3Dir: 'SLUICE_EMBEDDED_S3_DIR',
  /** API key the embedded catalog requires for writes (`sluice lineage serve`). */
  catalogApiKey: 'SLUICE_CATALOG_API_KEY',
  /** Where each step run writes its record (what it read, wrote and found, success or not): `s3://bucket/prefix`. */
  stepRecords: 'SLUICE_STEP_RECORDS',
  /** A file for the handlers' structured log lines outside Lambda (in Lambda they go to stdout). */
  logFile: 'SLUICE_LOG_FILE',
  /** CloudWatch namespace of the steps' embedded metrics (default `Sluice/<pipeline>`) and of the outbox replay's oldest age. */
  metricNamespace: 'SLUICE_METRIC_NAMESPACE',
  /** Base URL of a lineage page (the embedded catalog's, or Marquez's web UI) that alerts link to. */
  lineagePageUrl: 'SLUICE_LINEAGE_PAGE_URL',
  /** The SNS topic alerts are published to. */
  alertTopicArn: 'SLUICE_ALERT_TOPIC_ARN',
  /** ARN or name of the Secrets Manager secret holding the MLflow registry's credentials (never the credentials). */
  mlflowSecret: 'SLUICE_MLFLOW_SECRET',
  /** How `s3://` model artifacts of an MLflow registry are read: `s3` (Sluice's S3 client, the default) or `server`. */
  mlflowArtifacts: 'SLUICE_MLFLOW_ARTIFACTS',
} as const;

/** MLflow's own client variables, read as MLflow's Python client reads them. */
export const MLFLOW_ENV = {
  trackingUri: 'MLFLOW_TRACKING_URI',
  username: 'MLFLOW_TRACKING_USERNAME',
  password: 'MLFLOW_TRACKING_PASSWORD',
  token: 'MLFLOW_TRACKING_TOKEN',
  /** The S3 endpoint of the artifact store (MinIO, a local S3), for `s3://` artifact URIs. */
  s3Endpoint: 'MLFLOW_S3_ENDPOINT_URL',
} as const;

/** Variables of the AWS SDK that point a client at an S3 endpoint other than AWS's. */
export const AWS_S3_ENDPOINT_ENV = ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] as const;
