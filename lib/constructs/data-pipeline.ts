import { Duration, Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SLUICE_ENV } from '../../core/env.ts';
import { SluiceError } from '../../core/errors.ts';
import { STEP_RECORDS_PREFIX } from '../definition/storage-layout.ts';
import { compileAsl, FUNCTION_ARN_VARIABLES } from '../asl/compile-asl.ts';
import type { PipelineSpec, StepKind } from '../definition/pipeline-schema.ts';
import { grantPrefixes } from './bucket-grants.ts';
import { grantBackfill } from './backfill-grants.ts';
import { grantScoreShards } from './score-shards-grants.ts';
import { grantIngestParts } from './ingest-parts-grants.ts';
import { grantChildExecutions, hasDistributedMap } from './execution-grants.ts';
import { acknowledgeDataPipelineFindings } from './data-pipeline-nag.ts';
import { resolveDataPipelineProps, type DataPipelineProps } from './data-pipeline-props.ts';
import { lineageSettings } from './lineage-settings.ts';
import { ModelRegistryAccess } from './model-registry-access.ts';
import { LINEAGE_DELIVERY_FAILURES, LINEAGE_OUTBOX_OLDEST_AGE, PipelineAlarms } from './pipeline-alarms.ts';
import { LINEAGE_OUTBOX_PREFIX, PipelineBuckets } from './pipeline-buckets.ts';
import { PipelineAlerts } from './pipeline-alerts.ts';
import { PipelineDashboard } from './pipeline-dashboard.ts';
import { PipelineLineage } from './pipeline-lineage.ts';
import { PipelineTriggers } from './pipeline-triggers.ts';
import type { SluiceFunction } from './sluice-function.ts';
import { StepFunctions } from './step-functions.ts';

export type { DataPipelineProps } from './data-pipeline-props.ts';

/**
 * A Sluice pipeline on AWS, from the same spec the local runner executes: buckets, one Lambda per step kind,
 * the state machine from the very same ASL, upload rules and schedules, pipeline-run lineage from execution
 * status changes, a scheduled lineage-outbox replay, alarms, and access to an MLflow registry for scoring.
 */
export class DataPipeline extends Construct {
  /** The deployed spec (bucket names replaced by `bucketNames`). */
  readonly spec: PipelineSpec;
  readonly stateMachine: sfn.StateMachine;
  /** The data buckets by physical name. */
  readonly buckets: ReadonlyMap<string, s3.Bucket>;
  readonly accessLogBucket: s3.Bucket;
  /** One function per step kind the spec uses. */
  readonly stepFunctions: ReadonlyMap<StepKind, SluiceFunction>;
  readonly lineageStatusFunction: SluiceFunction;
  readonly lineageReplayFunction: SluiceFunction;
  /** Publishes one alert per failed, quarantined or warned execution to the alarm topic. */
  readonly alertFunction: SluiceFunction;
  /** Alarms and alerts go here. */
  readonly alarmTopic: sns.ITopic;
  /** Executions, then per step rows, rejects, rules, failures and duration, and the steps' latest warnings. */
  readonly dashboard: cloudwatch.Dashboard;
  readonly deadLetterQueue: sqs.Queue;
  /** The API key secret, when a lineage URL is configured. */
  readonly lineageApiKeySecret?: secretsmanager.ISecret;
  readonly triggers: PipelineTriggers;
  readonly #metricNamespace: string;

  constructor(scope: Construct, id: string, props: DataPipelineProps) {
    super(scope, id);
    const resolved = resolveDataPipelineProps(this, props);
    const spec = (this.spec = resolved.spec);
    this.#metricNamespace = resolved.metricNamespace;

    const storage = new PipelineBuckets(this, 'Storage', {
      names: resolved.buckets,
      quarantinePrefixes: quarantinePrefixes(spec),
      outboxBucket: resolved.outboxBucket,
      ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
      removalPolicy: resolved.removalPolicy,
      quarantineRetention: resolved.quarantineRetention,
      scratchRetention: resolved.scratchRetention,
      lineageOutboxRetention: resolved.lineageOutboxRetention,
      noncurrentVersionRetention: resolved.noncurrentVersionRetention,
      accessLogRetention: Duration.days(365),
    });
    this.buckets = storage.buckets;
    this.accessLogBucket = storage.accessLogs;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const outbox = { bucket: resolved.outboxBucket, prefix: LINEAGE_OUTBOX_PREFIX.replace(/\/$/, '') };
    const lineage = lineageSettings(this, {
      pipelineName: spec.name,
      outbox,
      ...(props.lineageUrl ? { lineageUrl: props.lineageUrl } : {}),
      ...(props.lineageEndpoint ? { lineageEndpoint: props.lineageEndpoint } : {}),
      ...(props.lineageApiKeySecret ? { lineageApiKeySecret: props.lineageApiKeySecret } : {}),
    });
    if (lineage.apiKeySecret) this.lineageApiKeySecret = lineage.apiKeySecret;

    // Every step run writes its record beside the outbox; the alert function reads it.
    const stepRecords = { bucket: resolved.outboxBucket, prefix: STEP_RECORDS_PREFIX };
    const steps = new StepFunctions(this, 'Steps', {
      spec,
      buckets: this.buckets,
      environment: {
        ...lineage.environment,
        [SLUICE_ENV.stepRecords]: `s3://${stepRecords.bucket}/${stepRecords.prefix}`,
        [SLUICE_ENV.metricNamespace]: this.#metricNamespace,
      },
      memorySize: resolved.stepMemorySize,
      ephemeralStorageMb: resolved.stepEphemeralStorageSize,
      ...(resolved.stepReservedConcurrency === undefined ? {} : { reservedConcurrency: resolved.stepReservedConcurrency }),
      logRetention: resolved.logRetention,
      runtime: resolved.runtime,
    });
    this.stepFunctions = steps.byKind;
    const ownRecords = { bucket: stepRecords.bucket, prefix: `${stepRecords.prefix}/${spec.name}` };
    for (const fn of steps.byKind.values()) grantPrefixes(fn.function, this.buckets, [outbox, ownRecords], ['write']);
    const scorer = steps.byKind.get('batchScore');
    if (props.mlflow && scorer && spec.steps.some((s) => s.kind === 'batchScore' && s.model.registry === 'mlflow')) {
      const registry = new ModelRegistryAccess(this, 'ModelRegistry', { registry: props.mlflow, function: scorer.function });
      for (const [name, value] of Object.entries(registry.environment)) scorer.function.addEnvironment(name, value);
    }

    const stateMachineName = Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    this.stateMachine = this.#stateMachine(stateMachineName, resolved.logRetention);

    const pipelineLineage = new PipelineLineage(this, 'Lineage', {
      spec,
      stateMachine: this.stateMachine,
      stateMachineName,
      environment: lineage.environment,
      outbox,
      buckets: this.buckets,
      logRetention: resolved.logRetention,
      replayInterval: resolved.lineageReplayInterval,
      metricNamespace: this.#metricNamespace,
      deadLetterQueue: this.deadLetterQueue,
      runtime: resolved.runtime,
    });
    this.lineageStatusFunction = pipelineLineage.statusFunction;
    this.lineageReplayFunction = pipelineLineage.replayFunction;
    const alarms = new PipelineAlarms(this, 'Alarms', {
      pipelineName: spec.name,
      metricNamespace: this.#metricNamespace,
      executionsFailed: this.metricExecutionsFailed(),
      lineageDeliveryFailures: this.metricLineageDeliveryFailures(),
      deadLetterQueue: this.deadLetterQueue,
      outboxOldestAge: this.metricLineageOutboxOldestAge(),
      outboxMaxAge: resolved.lineageOutboxMaxAge,
      ...(props.alarmTopic ? { topic: props.alarmTopic } : {}),
      ...(props.alarmSubscriptions ? { subscriptions: props.alarmSubscriptions } : {}),
    });
    this.alarmTopic = alarms.topic;
    this.alertFunction = new PipelineAlerts(this, 'Alerts', {
      pipelineName: spec.name,
      stateMachine: this.stateMachine,
      stateMachineName,
      topic: this.alarmTopic,
      stepRecords,
      buckets: this.buckets,
      environment: lineage.environment,
      ...(resolved.lineagePageUrl ? { lineagePageUrl: resolved.lineagePageUrl } : {}),
      logRetention: resolved.logRetention,
      deadLetterQueue: this.deadLetterQueue,
      runtime: resolved.runtime,
    }).function;
    const allFunctions = [...steps.byKind.values(), this.lineageStatusFunction, this.lineageReplayFunction, this.alertFunction];
    alarms.watchFunctions(allFunctions);
    for (const fn of allFunctions) {
      this.lineageApiKeySecret?.grantRead(fn.function);
      props.encryptionKey?.grantEncryptDecrypt(fn.function);
    }
    // A backfill's, an ingest's or a scoring shard map's ResultWriter puts objects into a bucket encrypted with this key,
    // and a shard map's ItemReader reads its items from one.
    props.encryptionKey?.grantEncryptDecrypt(this.stateMachine);
    grantIngestParts(this.stateMachine, spec, this.buckets, props.encryptionKey);

    this.triggers = new PipelineTriggers(this, 'Triggers', {
      spec,
      stateMachine: this.stateMachine,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.dashboard = new PipelineDashboard(this, 'Dashboard', {
      pipelineName: spec.name,
      metricNamespace: this.#metricNamespace,
      steps: spec.steps.map((s) => s.name),
      executionsSucceeded: this.metricExecutionsSucceeded({ statistic: 'Sum' }),
      executionsFailed: this.metricExecutionsFailed(),
      executionTime: this.metricExecutionTime(),
      lineageDeliveryFailures: this.metricLineageDeliveryFailures(),
      stepLogGroups: [...steps.byKind.values()].map((fn) => fn.logGroup),
    }).dashboard;

    acknowledgeDataPipelineFindings({
      functions: allFunctions,
      stepFunctions: [...steps.byKind.values()],
      stateMachine: this.stateMachine,
      deadLetterQueue: this.deadLetterQueue,
      ...(lineage.createdSecret ? { createdSecret: lineage.createdSecret } : {}),
    });
  }

  /** The state machine from the very ASL the local runner executes, each kind's function ARN substituted. */
  #stateMachine(name: string, logRetention: logs.RetentionDays): sfn.StateMachine {
    const asl = compileAsl(this.spec);
    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      // The vended-logs prefix keeps Step Functions from growing the account's log resource policy.
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: logRetention,
    });
    const stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: name,
      comment: asl.Comment,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(asl)),
      definitionSubstitutions: Object.fromEntries(
        [...this.stepFunctions].map(([kind, fn]) => [FUNCTION_ARN_VARIABLES[kind], fn.function.functionArn]),
      ),
      stateMachineType: sfn.StateMachineType.STANDARD,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    for (const fn of this.stepFunctions.values()) fn.function.grantInvoke(stateMachine);
    grantBackfill(stateMachine, this.spec, this.buckets);
    grantScoreShards(stateMachine, this.spec, this.buckets);
    // Every Distributed Map (backfill, ingest or data tests in parts, scoring shards) starts children of this machine.
    if (hasDistributedMap(asl)) grantChildExecutions(stateMachine, name);
    return stateMachine;
  }

  /** Lets a principal start runs by hand (`{"trigger": …}` input). */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Lets a principal read a dataset's objects (e.g. a consumer of predictions). */
  grantRead(grantee: iam.IGrantable, dataset: string): void {
    grantPrefixes(grantee, this.buckets, [this.#dataset(dataset)], ['read']);
  }

  /** Lets a principal write under a dataset's prefix (e.g. the producer of raw uploads). */
  grantWrite(grantee: iam.IGrantable, dataset: string): void {
    grantPrefixes(grantee, this.buckets, [this.#dataset(dataset)], ['write']);
  }

  /** Failed, timed-out and aborted executions, summed. */
  metricExecutionsFailed(props?: cloudwatch.MetricOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
      usingMetrics: {
        failed: this.stateMachine.metricFailed(props),
        timedOut: this.stateMachine.metricTimedOut(props),
        aborted: this.stateMachine.metricAborted(props),
      },
      label: 'Failed executions',
      period: props?.period ?? Duration.minutes(5),
    });
  }

  /** Succeeded executions. */
  metricExecutionsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded(props);
  }

  /** Execution time. */
  metricExecutionTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTime(props);
  }

  /** Lineage events that were not delivered (each went to the outbox, or was reported as lost). */
  metricLineageDeliveryFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.#metricNamespace,
      metricName: LINEAGE_DELIVERY_FAILURES,
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Age of the oldest event left in the lineage outbox after each replay, in seconds (0 when it is empty). */
  metricLineageOutboxOldestAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.#metricNamespace,
      metricName: LINEAGE_OUTBOX_OLDEST_AGE,
      statistic: 'Maximum',
      period: Duration.minutes(15),
      ...props,
    });
  }

  #dataset(ref: string): { bucket: string; prefix: string } {
    const dataset = this.spec.datasets[ref];
    if (!dataset) {
      throw new SluiceError(
        'CONSTRUCT_DATASET_UNKNOWN',
        `${this.node.path}: unknown dataset ${JSON.stringify(ref)} (datasets: ${Object.keys(this.spec.datasets).join(', ')})`,
      );
    }
    return { bucket: dataset.bucket, prefix: dataset.prefix };
  }
}

/** Prefixes of the datasets data tests quarantine into, per bucket. */
function quarantinePrefixes(spec: PipelineSpec): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const step of spec.steps) {
    if (step.kind !== 'dataTests') continue;
    const dataset = spec.datasets[step.quarantineTo];
    if (dataset) out.set(dataset.bucket, [...new Set([...(out.get(dataset.bucket) ?? []), dataset.prefix])]);
  }
  return out;
}
