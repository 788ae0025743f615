import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Token, type App, type Environment } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SluiceError } from '../../core/errors.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { specBuckets } from '../definition/spec-buckets.ts';
import { SUPPORTED_RUNTIMES, type DataPipelineProps, type MlflowRegistryProps } from './data-pipeline-props.ts';
import type { PipelineModule } from './load-pipelines.ts';
import { PipelineStack } from './pipeline-stack.ts';

/** Options of {@link deployPipelines}; each falls back to the CDK context key of the same name (`cdk deploy -c stage=prod`). */
export interface DeployPipelinesOptions {
  /**
   * The stage: stacks are `Sluice-<pipeline>-<stage>`, buckets `<name>-<stage>[-<suffix>]`. 1-20 lowercase letters, digits or hyphens.
   * @default context `stage`, else 'dev'
   */
  readonly stage?: string;
  /**
   * Account and region of every stack (`{ account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }`).
   * @default - environment-agnostic stacks
   */
  readonly env?: Environment;
  /**
   * Appended to every bucket name, since bucket names are global.
   * @default context `bucketSuffix`, else the account of `env`
   */
  readonly bucketSuffix?: string;
  /**
   * OpenLineage backend base URL (Marquez's API, e.g. `https://marquez.example.com`).
   * @default context `lineageUrl`, else none: events go to the functions' CloudWatch logs
   */
  readonly lineageUrl?: string;
  /**
   * Path of the lineage endpoint under `lineageUrl`.
   * @default context `lineageEndpoint`, else 'api/v1/lineage'
   */
  readonly lineageEndpoint?: string;
  /**
   * Base URL of the lineage page (`sluice lineage serve`) that alerts link to.
   * @default context `lineagePageUrl`, else alerts carry no link
   */
  readonly lineagePageUrl?: string;
  /**
   * The functions' runtime, `lambda.Runtime.NODEJS_24_X` or `NODEJS_22_X`.
   * @default context `runtime` (`nodejs22.x` or `nodejs24.x`), else Node.js 24
   */
  readonly runtime?: lambda.Runtime;
  /**
   * Email addresses the alarms go to (each confirms the subscription SNS mails it).
   * @default context `alarmEmail` (comma-separated), else none: subscribe to the stack's alarm topic yourself
   */
  readonly alarmEmails?: readonly string[];
  /**
   * The MLflow registry of pipelines that score with `model: { registry: 'mlflow', … }` (the others ignore it).
   * @default context `mlflowTrackingUri`, `mlflowCredentials` (a secret's name or ARN) and `mlflowArtifacts`
   * (comma-separated `s3://bucket/prefix`), else none
   */
  readonly mlflow?: MlflowRegistryProps;
  /** More DataPipeline props for one pipeline (an alarm topic, a KMS key, memory…). */
  readonly pipelineProps?: (spec: PipelineSpec) => Partial<Omit<DataPipelineProps, 'spec'>>;
}

/**
 * Deploys pipelines, one stack each (`Sluice-<pipeline>-<stage>`), with stage-suffixed bucket names and outputs saying
 * how to upload models and data. Pass `loadPipelines(dir)` to deploy every module in a folder.
 */
export function deployPipelines(
  app: App,
  pipelines: ReadonlyArray<PipelineSpec | PipelineModule>,
  options: DeployPipelinesOptions = {},
): PipelineStack[] {
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const problems: string[] = [];
  const stage = options.stage ?? context('stage') ?? 'dev';
  if (!/^[a-z0-9-]{1,20}$/.test(stage))
    problems.push(`stage: expected 1-20 lowercase letters, digits or hyphens, got ${JSON.stringify(stage)}`);
  const runtimeName = context('runtime');
  let runtime = options.runtime;
  if (runtime === undefined && runtimeName !== undefined) {
    runtime = SUPPORTED_RUNTIMES.find((r) => r.name === runtimeName);
    if (!runtime)
      problems.push(`runtime: expected ${SUPPORTED_RUNTIMES.map((r) => r.name).join(' or ')}, got ${JSON.stringify(runtimeName)}`);
  }
  const account = options.env?.account;
  const suffix = options.bucketSuffix ?? context('bucketSuffix') ?? (account && !Token.isUnresolved(account) ? account : undefined);
  const modules = pipelines.map((p): PipelineModule | { spec: PipelineSpec; file?: undefined } =>
    'spec' in p && 'file' in p ? p : { spec: p as PipelineSpec },
  );
  const names = new Set<string>();
  for (const { spec } of modules) {
    if (names.has(spec.name))
      problems.push(`pipelines: two pipelines are named ${JSON.stringify(spec.name)}; a stack is named after its pipeline`);
    names.add(spec.name);
  }
  if (problems.length > 0)
    throw new SluiceError('CONSTRUCT_PROPS_INVALID', `deployPipelines: ${problems.join('; ')}`, { details: problems });

  const alarmEmails =
    options.alarmEmails ??
    context('alarmEmail')
      ?.split(',')
      .map((e) => e.trim())
      .filter(Boolean) ??
    [];
  for (const email of alarmEmails) {
    if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
      problems.push(`alarmEmail: expected an email address, got ${JSON.stringify(email)}`);
  }
  if (problems.length > 0)
    throw new SluiceError('CONSTRUCT_PROPS_INVALID', `deployPipelines: ${problems.join('; ')}`, { details: problems });
  const trackingUri = context('mlflowTrackingUri');
  const credentials = context('mlflowCredentials');
  const artifacts = context('mlflowArtifacts');
  const mlflow: MlflowRegistryProps | undefined =
    options.mlflow ??
    (trackingUri
      ? {
          trackingUri,
          ...(credentials ? { credentials } : {}),
          ...(artifacts
            ? {
                artifactLocations: artifacts
                  .split(',')
                  .map((a) => a.trim())
                  .filter(Boolean),
              }
            : {}),
        }
      : undefined);
  const lineageUrl = options.lineageUrl ?? context('lineageUrl');
  const lineageEndpoint = options.lineageEndpoint ?? context('lineageEndpoint');
  const lineagePageUrl = options.lineagePageUrl ?? context('lineagePageUrl');
  return modules.map(({ spec, file }) => {
    const bucketNames = Object.fromEntries(specBuckets(spec).map((name) => [name, [name, stage, suffix].filter(Boolean).join('-')]));
    return new PipelineStack(app, `Sluice-${spec.name}-${stage}`, {
      description: `Sluice pipeline ${spec.name} (${stage})`,
      ...(options.env ? { env: options.env } : {}),
      ...(file ? { file } : {}),
      pipeline: {
        spec,
        bucketNames,
        metricNamespace: `Sluice/${stage}/${spec.name}`,
        ...(lineageUrl ? { lineageUrl } : {}),
        ...(lineageEndpoint ? { lineageEndpoint } : {}),
        ...(lineagePageUrl ? { lineagePageUrl } : {}),
        ...(runtime ? { runtime } : {}),
        ...(alarmEmails.length > 0 ? { alarmSubscriptions: alarmEmails.map((e) => new EmailSubscription(e)) } : {}),
        ...(mlflow && spec.steps.some((s) => s.kind === 'batchScore' && s.model.registry === 'mlflow') ? { mlflow } : {}),
        ...options.pipelineProps?.(spec),
      },
    });
  });
}
