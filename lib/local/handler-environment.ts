import { resolveLineageConfig } from '../../lineage/index.ts';
import { EMBEDDED_S3_CREDENTIALS } from './embedded-s3.ts';
import { MLFLOW_ENV, SLUICE_ENV } from '../../core/env.ts';
import { stateDirLayout } from '../../core/state-dir.ts';

/** The region local runs pretend to be in. */
export const LOCAL_REGION = 'us-east-1';
/** The account id local ARNs carry. */
export const LOCAL_ACCOUNT = '000000000000';

/**
 * The environment handlers run with locally: what a Lambda function's configuration would set, pointing the
 * SDK at the embedded S3. Lineage goes where the user's OPENLINEAGE_* settings (or openlineage.yml) say, or else to
 * a JSON-lines file under the state directory; undelivered events go to `<state-dir>/lineage/outbox/`. Step records go
 * to `records` in the embedded S3, the steps' structured log lines to `<state-dir>/logs/steps.jsonl`. MLFLOW_*
 * settings (tracking URI, credentials, artifact S3 endpoint) reach a scoring step that reads a registry model.
 */
export function handlerEnvironment(
  base: NodeJS.ProcessEnv,
  s3Endpoint: string,
  stateDir: string,
  records?: { readonly bucket: string; readonly prefix: string },
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    // Steps read what the embedded S3 holds in place instead of downloading it (objects are still written through S3).
    [SLUICE_ENV.embeddedS3Dir]: stateDirLayout(stateDir).s3,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    // Real credentials of the user must not be mixed with the embedded S3's.
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  // Lineage and model-registry settings come from the run's base environment, whatever the current process has.
  for (const key of new Set([...Object.keys(process.env), ...Object.keys(base)])) {
    if (key.startsWith('OPENLINEAGE') || key.startsWith('MLFLOW_')) env[key] = base[key];
  }
  // Step records go to the embedded S3 as they go to the pipeline's bucket in AWS; log lines to a file, not the terminal.
  if (records) env[SLUICE_ENV.stepRecords] = `s3://${records.bucket}/${records.prefix}`;
  env[SLUICE_ENV.logFile] = base[SLUICE_ENV.logFile] || stateDirLayout(stateDir).logs;
  env[SLUICE_ENV.metricNamespace] = base[SLUICE_ENV.metricNamespace];
  // The embedded S3 holds only the pipeline's buckets: a registry's s3:// artifacts are read through its server,
  // unless MLFLOW_S3_ENDPOINT_URL says where they are (as for MLflow's own clients).
  env[SLUICE_ENV.mlflowArtifacts] = base[SLUICE_ENV.mlflowArtifacts] || (base[MLFLOW_ENV.s3Endpoint] ? 's3' : 'server');
  // Undelivered events wait under the state directory for `sluice lineage replay`, unless the user named a place.
  env[SLUICE_ENV.lineageOutbox] = base[SLUICE_ENV.lineageOutbox] || stateDirLayout(stateDir).outbox;
  if (resolveLineageConfig({ env: base }) === undefined) {
    env.OPENLINEAGE__TRANSPORT__TYPE = 'file';
    env.OPENLINEAGE__TRANSPORT__LOG_FILE_PATH = stateDirLayout(stateDir).events;
    env.OPENLINEAGE__TRANSPORT__APPEND = 'true';
  }
  return env;
}

/**
 * The whole environment one local run's handlers get, as a Lambda function's process would have it: this process's
 * variables, the run's base environment over them, and {@link handlerEnvironment}'s settings over both (undefined
 * removes one). `process.env` itself is never changed, so two runs in one process cannot see each other's settings.
 */
export function handlerProcessEnvironment(
  base: NodeJS.ProcessEnv,
  s3Endpoint: string,
  stateDir: string,
  records?: { readonly bucket: string; readonly prefix: string },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...base };
  for (const [key, value] of Object.entries(handlerEnvironment(base, s3Endpoint, stateDir, records))) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
