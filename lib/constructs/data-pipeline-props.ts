import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { SluiceError } from '../../core/errors.ts';
import { parsePipelineSpec } from '../definition/define-pipeline.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { renameBuckets, specBuckets } from '../definition/spec-buckets.ts';
import { BUCKET_NAME_PATTERN } from '../../core/identifiers.ts';

/** The MLflow tracking server scoring steps resolve `model: { registry: 'mlflow', … }` from. */
export interface MlflowRegistryProps {
  /** The tracking server's http(s) URL, without credentials (`https://mlflow.example.com`). */
  readonly trackingUri: string;
  /**
   * The secret holding the server's credentials: JSON `{"username": …, "password": …}` (Basic) or `{"token": …}`
   * (Bearer), or the token as plain text; a secret object, or a secret's name or ARN. Only the scoring function may
   * read it, at cold start, through the Parameters and Secrets extension.
   * @default - no credentials
   */
  readonly credentials?: secretsmanager.ISecret | string;
  /**
   * Where the models' files live when MLflow keeps them in S3 (`s3://bucket/prefix`): the scoring function reads them
   * there itself and gets s3:GetObject on exactly these prefixes.
   * @default - none: files are read through the tracking server (its artifact proxy, or the server reading its store)
   */
  readonly artifactLocations?: readonly string[];
}

/** Properties of a {@link DataPipeline}. */
export interface DataPipelineProps {
  /** The compiled pipeline (`definePipeline(...)`): the same spec the local runner executes. */
  readonly spec: PipelineSpec;
  /**
   * Physical names for the buckets the spec names (e.g. a stage suffix), by spec name. The deployed spec,
   * ASL included, uses the physical names.
   * @default - the spec's bucket names
   */
  readonly bucketNames?: Readonly<Record<string, string>>;
  /**
   * KMS key for the data buckets (the functions get encrypt/decrypt on it).
   * @default - S3-managed encryption (SSE-S3)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the buckets when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How long quarantined batches are kept.
   * @default Duration.days(90)
   */
  readonly quarantineRetention?: Duration;
  /**
   * How long the work the Distributed Maps leave in the buckets is kept (`_sluice/ingest-parts/`, `_sluice/test-parts/`,
   * `_sluice/score-shards/`: an ingest's parts, data-test partials, scoring shards). Only the execution that wrote them
   * reads them; the default outlasts Step Functions' 14 days for redriving a failed execution.
   * @default Duration.days(15)
   */
  readonly scratchRetention?: Duration;
  /**
   * How long an undelivered lineage event is kept in the outbox (`_lineage/outbox/`).
   * @default Duration.days(30)
   */
  readonly lineageOutboxRetention?: Duration;
  /**
   * How long overwritten object versions are kept.
   * @default Duration.days(30)
   */
  readonly noncurrentVersionRetention?: Duration;
  /**
   * The bucket (a spec name) that keeps the lineage outbox.
   * @default - the bucket of the spec's first dataset
   */
  readonly lineageOutboxBucket?: string;
  /**
   * OpenLineage backend base URL (Marquez: `http://marquez:5000`).
   * @default - no backend: events are written to the functions' CloudWatch logs (console transport)
   */
  readonly lineageUrl?: string;
  /**
   * Path of the lineage endpoint under `lineageUrl`.
   * @default 'api/v1/lineage'
   */
  readonly lineageEndpoint?: string;
  /**
   * Secret holding the backend's API key (a plain string, or JSON `{"apiKey": "…"}`). Only its ARN reaches the
   * functions; they read it at cold start. Used only with `lineageUrl`.
   * @default - a new secret `{"apiKey": ""}` (no auth until you set the key)
   */
  readonly lineageApiKeySecret?: secretsmanager.ISecret;
  /**
   * How often the lineage outbox is replayed.
   * @default Duration.minutes(15)
   */
  readonly lineageReplayInterval?: Duration;
  /**
   * Topic the alarms notify.
   * @default - a new topic, encrypted with a new KMS key (rotated yearly) that CloudWatch alarms may use
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Who the alarms reach: subscriptions added to the alarm topic, e.g.
   * `new subscriptions.EmailSubscription('data-oncall@example.com')` (aws-cdk-lib/aws-sns-subscriptions).
   * @default - none: subscribe to the topic yourself
   */
  readonly alarmSubscriptions?: readonly sns.ITopicSubscription[];
  /**
   * How many instances of each step's function may run at once, reserved from the account's concurrency, so a
   * burst of uploads queues (Step Functions retries throttled steps) instead of starving the account's other
   * functions. `false` reserves none (the functions share the account's pool).
   * @default 10
   */
  readonly stepReservedConcurrency?: number | false;
  /**
   * Age of the oldest undelivered lineage event in the outbox above which an alarm fires (replays run every
   * `lineageReplayInterval`, so an older event means the backend has been unreachable for that long).
   * @default Duration.hours(1)
   */
  readonly lineageOutboxMaxAge?: Duration;
  /**
   * The Node.js runtime of every function: `lambda.Runtime.NODEJS_24_X` or `lambda.Runtime.NODEJS_22_X`.
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;
  /**
   * Memory of every step function, in MiB (DuckDB sizes its threads and memory from it; Lambda's vCPUs scale with it).
   * @default - each step kind's own size (`lambda.memoryMb` in its registry entry: the size `npm run bench:lambda-cost` recommends, 512 MB or 1,024 MB for the built-in
   * kinds; see docs/deploy.md)
   */
  readonly stepMemorySize?: number;
  /**
   * Ephemeral storage (`/tmp`) of every step function, in MiB, from 512 to 10240. Ingest keeps the raw object, its
   * staged Parquet and rejects there, and DuckDB spills what does not fit in memory to it: raise it for objects above
   * about 1.5 GB or builds that spill (docs/scaling.md).
   * @default 2048
   */
  readonly stepEphemeralStorageSize?: number;
  /**
   * Retention of the functions' and the state machine's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * CloudWatch namespace of the lineage delivery metric and of the steps' metrics (rows, rejects, rules, duration).
   * @default `Sluice/<pipeline name>`
   */
  readonly metricNamespace?: string;
  /**
   * Base URL of the lineage page alerts link to: `sluice lineage serve`'s page (`https://lineage.example.com`);
   * an alert links to `<url>/#job:<namespace>:<job>` of the step that failed.
   * @default - alerts carry no link
   */
  readonly lineagePageUrl?: string;
  /**
   * The MLflow model registry, for scoring steps whose model is `{ registry: 'mlflow', name, alias | version }`.
   * @default - none; required when a scoring step reads its model from MLflow
   */
  readonly mlflow?: MlflowRegistryProps;
}

/** Props with defaults applied and the spec validated and renamed. */
export interface ResolvedDataPipelineProps {
  readonly spec: PipelineSpec;
  readonly buckets: string[];
  readonly outboxBucket: string;
  readonly removalPolicy: RemovalPolicy;
  readonly quarantineRetention: Duration;
  readonly scratchRetention: Duration;
  readonly lineageOutboxRetention: Duration;
  readonly noncurrentVersionRetention: Duration;
  readonly lineageReplayInterval: Duration;
  /** Undefined: each kind's default. */
  readonly stepMemorySize: number | undefined;
  readonly stepEphemeralStorageSize: number;
  readonly logRetention: logs.RetentionDays;
  readonly metricNamespace: string;
  readonly runtime: lambda.Runtime;
  readonly stepReservedConcurrency: number | undefined;
  readonly lineageOutboxMaxAge: Duration;
  readonly lineagePageUrl?: string;
}

/** The runtimes Sluice's bundles are built and tested for. */
export const SUPPORTED_RUNTIMES: readonly lambda.Runtime[] = [lambda.Runtime.NODEJS_24_X, lambda.Runtime.NODEJS_22_X];

/** Validates the props and applies defaults; every problem is named with the construct's path. */
export function resolveDataPipelineProps(scope: IConstruct, props: DataPipelineProps): ResolvedDataPipelineProps {
  const problems: string[] = [];
  let spec: PipelineSpec | undefined;
  try {
    spec = parsePipelineSpec(props.spec);
  } catch (error) {
    const details = (error as { details?: readonly string[] }).details;
    problems.push(...(details?.length ? details.map((d) => `spec.${d}`) : [`spec: ${(error as Error).message}`]));
  }
  spec?.steps.forEach((step, i) => {
    // A transform is a function in the pipeline module, which the deployed functions do not carry yet.
    if (step.kind === 'featureBuild' && step.transform !== undefined) {
      problems.push(
        `spec.steps[${i}].transform: TypeScript transforms run locally only; a deployed feature step needs SQL (got transform ${JSON.stringify(step.transform)})`,
      );
    }
  });
  const names = spec ? specBuckets(spec) : [];
  for (const [from, to] of Object.entries(props.bucketNames ?? {})) {
    if (spec && !names.includes(from)) problems.push(`bucketNames.${from}: not a bucket of the spec (buckets: ${names.join(', ')})`);
    if (!Token.isUnresolved(to) && !BUCKET_NAME_PATTERN.test(to)) {
      problems.push(
        `bucketNames.${from}: expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens), got ${JSON.stringify(to)}`,
      );
    }
  }
  const memory = props.stepMemorySize;
  if (memory !== undefined && (!Number.isInteger(memory) || memory < 128 || memory > 10240)) {
    problems.push(`stepMemorySize: expected an integer from 128 to 10240 MiB, got ${memory}`);
  }
  const storage = props.stepEphemeralStorageSize ?? 2048;
  if (!Number.isInteger(storage) || storage < 512 || storage > 10240) {
    problems.push(`stepEphemeralStorageSize: expected an integer from 512 to 10240 MiB, got ${storage}`);
  }
  const concurrency = props.stepReservedConcurrency ?? 10;
  if (concurrency !== false && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000)) {
    problems.push(`stepReservedConcurrency: expected an integer from 1 to 1000, or false to reserve none, got ${String(concurrency)}`);
  }
  const outboxMaxAge = props.lineageOutboxMaxAge ?? Duration.hours(1);
  if (!outboxMaxAge.isUnresolved() && outboxMaxAge.toMinutes({ integral: false }) < 1) {
    problems.push(`lineageOutboxMaxAge: expected at least 1 minute, got ${outboxMaxAge.toHumanString()}`);
  }
  const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;
  if (!SUPPORTED_RUNTIMES.some((r) => r.runtimeEquals(runtime))) {
    problems.push(`runtime: expected ${SUPPORTED_RUNTIMES.map((r) => r.name).join(' or ')}, got ${runtime.name}`);
  }
  for (const [name, url] of [
    ['lineageUrl', props.lineageUrl],
    ['lineagePageUrl', props.lineagePageUrl],
  ] as const) {
    if (url !== undefined && !Token.isUnresolved(url) && !(URL.canParse(url) && /^https?:$/.test(new URL(url).protocol))) {
      problems.push(`${name}: expected an http(s) URL, got ${JSON.stringify(url)}`);
    }
  }
  const days = (what: string, d: Duration | undefined, fallback: number): Duration => {
    const value = d ?? Duration.days(fallback);
    if (!value.isUnresolved() && value.toDays({ integral: false }) < 1)
      problems.push(`${what}: expected at least 1 day, got ${value.toHumanString()}`);
    return value;
  };
  const quarantineRetention = days('quarantineRetention', props.quarantineRetention, 90);
  const lineageOutboxRetention = days('lineageOutboxRetention', props.lineageOutboxRetention, 30);
  const scratchRetention = days('scratchRetention', props.scratchRetention, 15);
  const noncurrentVersionRetention = days('noncurrentVersionRetention', props.noncurrentVersionRetention, 30);
  const lineageReplayInterval = props.lineageReplayInterval ?? Duration.minutes(15);
  if (!lineageReplayInterval.isUnresolved() && lineageReplayInterval.toMinutes({ integral: false }) < 1) {
    problems.push(`lineageReplayInterval: expected at least 1 minute, got ${lineageReplayInterval.toHumanString()}`);
  }
  problems.push(...mlflowProblems(spec, props.mlflow));
  const firstBucket = spec ? Object.values(spec.datasets)[0]?.bucket : undefined;
  const outboxSpecBucket = props.lineageOutboxBucket ?? firstBucket;
  if (spec && props.lineageOutboxBucket !== undefined && !names.includes(props.lineageOutboxBucket)) {
    problems.push(
      `lineageOutboxBucket: not a bucket of the spec, got ${JSON.stringify(props.lineageOutboxBucket)} (buckets: ${names.join(', ')})`,
    );
  }
  if (problems.length > 0 || !spec || !outboxSpecBucket) {
    if (problems.length === 0) problems.push('spec: expected at least one dataset');
    throw new SluiceError('CONSTRUCT_PROPS_INVALID', `${scope.node.path}: invalid DataPipeline props:\n  ${problems.join('\n  ')}`, {
      details: problems,
    });
  }
  // The caller's spec, not the re-parsed copy: the ASL must be exactly what the local runner compiles.
  const renamed = props.bucketNames ? renameBuckets(props.spec, props.bucketNames) : props.spec;
  const rename = (name: string) => props.bucketNames?.[name] ?? name;
  return {
    spec: renamed,
    buckets: names.map(rename),
    outboxBucket: rename(outboxSpecBucket),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    quarantineRetention,
    scratchRetention,
    lineageOutboxRetention,
    noncurrentVersionRetention,
    lineageReplayInterval,
    stepMemorySize: memory,
    stepEphemeralStorageSize: storage,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    metricNamespace: props.metricNamespace ?? `Sluice/${spec.name}`,
    runtime,
    stepReservedConcurrency: concurrency === false ? undefined : concurrency,
    lineageOutboxMaxAge: outboxMaxAge,
    ...(props.lineagePageUrl ? { lineagePageUrl: props.lineagePageUrl } : {}),
  };
}

/** A spec scoring with MLflow models needs the registry's URL; its settings must be usable as given. */
function mlflowProblems(spec: PipelineSpec | undefined, mlflow: MlflowRegistryProps | undefined): string[] {
  const problems: string[] = [];
  const readers = (spec?.steps ?? []).flatMap((step, i) =>
    step.kind === 'batchScore' && step.model.registry === 'mlflow'
      ? [`steps[${i}] (${step.name}) scores with MLflow model ${step.model.name}`]
      : [],
  );
  if (!mlflow) {
    if (readers.length > 0) problems.push(`mlflow.trackingUri: required: ${readers.join('; ')}`);
    return problems;
  }
  const uri = mlflow.trackingUri;
  if (!Token.isUnresolved(uri)) {
    const url = URL.canParse(uri) ? new URL(uri) : undefined;
    if (!url || !/^https?:$/.test(url.protocol))
      problems.push(`mlflow.trackingUri: expected an http(s) URL, got ${JSON.stringify(uri.replace(/\/\/[^@/]*@/, '//***@'))}`);
    else if (url.username || url.password)
      problems.push('mlflow.trackingUri: put credentials in mlflow.credentials (a secret), not in the URL');
  }
  (mlflow.artifactLocations ?? []).forEach((location, i) => {
    if (!Token.isUnresolved(location) && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(location)) {
      problems.push(`mlflow.artifactLocations[${i}]: expected s3://<bucket>[/<prefix>], got ${JSON.stringify(location)}`);
    }
  });
  return problems;
}
