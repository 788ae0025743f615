import { ArnFormat, Duration, Names, Size, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SluiceError } from '../../core/errors.ts';
import { compileAsl, FUNCTION_ARN_VARIABLES } from '../asl/compile-asl.ts';
import type { PipelineSpec, StepKind } from '../definition/pipeline-schema.ts';
import { grantObjects, grantPrefixes } from './bucket-grants.ts';
import { acknowledgeDataPipelineFindings } from './data-pipeline-nag.ts';
import { resolveDataPipelineProps, type DataPipelineProps } from './data-pipeline-props.ts';
import { DuckDbLayer } from './duckdb-layer.ts';
import { LINEAGE_OUTBOX_PREFIX, PipelineBuckets } from './pipeline-buckets.ts';
import { PipelineTriggers } from './pipeline-triggers.ts';
import { SluiceFunction } from './sluice-function.ts';
import { stepAccess } from './step-access.ts';
import { SLUICE_ENV } from '../../core/env.ts';

export type { DataPipelineProps } from './data-pipeline-props.ts';

const STEP_DESCRIPTIONS: Readonly<Record<StepKind, string>> = {
  ingest: 'ingest: types a raw upload into staged Parquet and rejected rows',
  dataTests: 'data tests: audits a staged batch, then publishes or quarantines it',
  featureBuild: 'feature build: runs the feature SQL over published inputs',
  batchScore: 'batch score: scores features with the model artifact',
};

/**
 * A Sluice pipeline on AWS, from the same spec the local runner executes: buckets, one Lambda per step kind,
 * the state machine from the very same ASL, upload rules and schedules, pipeline-run lineage from execution
 * status changes, a scheduled lineage-outbox replay, and alarms.
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
  readonly alarmTopic: sns.ITopic;
  readonly deadLetterQueue: sqs.Queue;
  /** The API key secret, when a lineage URL is configured. */
  readonly lineageApiKeySecret?: secretsmanager.ISecret;
  readonly triggers: PipelineTriggers;
  readonly #metricNamespace: string;

  constructor(scope: Construct, id: string, props: DataPipelineProps) {
    super(scope, id);
    const resolved = resolveDataPipelineProps(this, props);
    const spec = (this.spec = resolved.spec);

    const storage = new PipelineBuckets(this, 'Storage', {
      names: resolved.buckets,
      quarantinePrefixes: quarantinePrefixes(spec),
      outboxBucket: resolved.outboxBucket,
      ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
      removalPolicy: resolved.removalPolicy,
      quarantineRetention: resolved.quarantineRetention,
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
    const lineageEnv: Record<string, string> = { [SLUICE_ENV.lineageOutbox]: `s3://${outbox.bucket}/${outbox.prefix}` };
    if (props.lineageUrl) {
      this.lineageApiKeySecret =
        props.lineageApiKeySecret ??
        new secretsmanager.Secret(this, 'LineageApiKey', {
          description: `OpenLineage API key for ${spec.name}: set {"apiKey": "<key>"} (empty means no auth)`,
          generateSecretString: {
            secretStringTemplate: JSON.stringify({ apiKey: '' }),
            generateStringKey: 'unused',
            excludePunctuation: true,
          },
        });
      lineageEnv.OPENLINEAGE_URL = props.lineageUrl;
      if (props.lineageEndpoint) lineageEnv.OPENLINEAGE_ENDPOINT = props.lineageEndpoint;
      lineageEnv[SLUICE_ENV.lineageApiKeySecretArn] = this.lineageApiKeySecret.secretArn;
    } else {
      lineageEnv.OPENLINEAGE__TRANSPORT__TYPE = 'console';
    }

    const access = stepAccess(spec);
    const layer = new DuckDbLayer(this, 'DuckDb').layer;
    const stepFunctions = new Map<StepKind, SluiceFunction>();
    for (const [kind, stepAcc] of access) {
      const timeout = Math.max(...spec.steps.filter((s) => s.kind === kind).map((s) => s.timeoutSeconds ?? 900));
      const fn = new SluiceFunction(this, `Step-${kind}`, {
        name: kind,
        description: `Sluice ${spec.name} ${STEP_DESCRIPTIONS[kind]}`,
        environment: lineageEnv,
        memorySize: resolved.stepMemorySize,
        timeout: Duration.seconds(timeout),
        ephemeralStorageSize: Size.gibibytes(2),
        logRetention: resolved.logRetention,
        duckDbLayer: layer,
      });
      grantPrefixes(fn.function, this.buckets, stepAcc.reads, ['read']);
      grantPrefixes(fn.function, this.buckets, stepAcc.writes, ['write']);
      grantObjects(fn.function, this.buckets, stepAcc.objects);
      stepFunctions.set(kind, fn);
    }
    this.stepFunctions = stepFunctions;

    const pipelineIdentity = {
      name: spec.name,
      namespace: spec.namespace,
      datasets: Object.fromEntries(
        Object.entries(spec.datasets).map(([ref, d]) => [ref, { bucket: d.bucket, prefix: d.prefix, format: d.format }]),
      ),
    };
    this.lineageStatusFunction = new SluiceFunction(this, 'LineageStatus', {
      name: 'lineageStatus',
      description: `Sluice ${spec.name}: pipeline-run lineage from execution status changes`,
      environment: { ...lineageEnv, [SLUICE_ENV.pipeline]: JSON.stringify(pipelineIdentity) },
      memorySize: 256,
      timeout: Duration.seconds(30),
      logRetention: resolved.logRetention,
    });
    this.lineageReplayFunction = new SluiceFunction(this, 'LineageReplay', {
      name: 'lineageReplay',
      description: `Sluice ${spec.name}: replays the lineage outbox`,
      environment: lineageEnv,
      memorySize: 256,
      timeout: Duration.minutes(5),
      logRetention: resolved.logRetention,
    });
    const allFunctions = [...stepFunctions.values(), this.lineageStatusFunction, this.lineageReplayFunction];
    for (const fn of allFunctions) {
      if (fn !== this.lineageReplayFunction) grantPrefixes(fn.function, this.buckets, [outbox], ['write']);
      this.lineageApiKeySecret?.grantRead(fn.function);
      props.encryptionKey?.grantEncryptDecrypt(fn.function);
    }
    grantPrefixes(this.lineageReplayFunction.function, this.buckets, [outbox], ['read', 'delete']);

    const asl = compileAsl(spec);
    const stateMachineLogs = new logs.LogGroup(this, 'StateMachineLogs', {
      // The vended-logs prefix keeps Step Functions from growing the account's log resource policy.
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: resolved.logRetention,
    });
    // A concrete name, so the execution ARNs the status function may read are known at synth time.
    const stateMachineName = Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      comment: asl.Comment,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(asl)),
      definitionSubstitutions: Object.fromEntries(
        [...stepFunctions].map(([kind, fn]) => [FUNCTION_ARN_VARIABLES[kind], fn.function.functionArn]),
      ),
      stateMachineType: sfn.StateMachineType.STANDARD,
      logs: { destination: stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    for (const fn of stepFunctions.values()) fn.function.grantInvoke(this.stateMachine);
    // The status function reads an ended execution's history to close step runs a timeout or abort left open.
    const stack = Stack.of(this);
    const executions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.lineageStatusFunction.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:GetExecutionHistory'], resources: [executions] }),
    );
    const pseudo = (value: string, name: string): string => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    Validations.of(this.lineageStatusFunction).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${pseudo(stack.region, 'Region')}:${pseudo(stack.account, 'AccountId')}:execution:${stateMachineName}:*]`,
      reason: 'Execution ARNs are minted per run; "<state machine>:*" is the narrowest scope that covers this pipeline\'s executions only',
    });

    new events.Rule(this, 'ExecutionStatusChange', {
      description: `Pipeline-run lineage of ${spec.name}: every execution status change`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [this.stateMachine.stateMachineArn] },
      },
      targets: [
        new targets.LambdaFunction(this.lineageStatusFunction.function, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
    new events.Rule(this, 'LineageReplaySchedule', {
      description: `Replays the lineage outbox of ${spec.name}`,
      schedule: events.Schedule.rate(resolved.lineageReplayInterval),
      targets: [new targets.LambdaFunction(this.lineageReplayFunction.function, { retryAttempts: 0 })],
    });

    this.triggers = new PipelineTriggers(this, 'Triggers', {
      spec,
      stateMachine: this.stateMachine,
      deadLetterQueue: this.deadLetterQueue,
    });

    this.#metricNamespace = resolved.metricNamespace;
    for (const [i, fn] of allFunctions.entries()) {
      new logs.MetricFilter(this, `LineageWarnings${i}`, {
        logGroup: fn.logGroup,
        // Every "sluice: warning" line is a lineage event not delivered (SafeEmitter, the key loader, replay).
        filterPattern: logs.FilterPattern.literal('"sluice: warning"'),
        metricNamespace: this.#metricNamespace,
        metricName: 'LineageDeliveryFailures',
        metricValue: '1',
      });
    }

    this.alarmTopic = props.alarmTopic ?? new sns.Topic(this, 'Alarms', { displayName: `Sluice ${spec.name} alarms`, enforceSSL: true });
    const notify = new cwActions.SnsAction(this.alarmTopic);
    const alarms = [
      this.metricExecutionsFailed().createAlarm(this, 'ExecutionsFailedAlarm', {
        alarmDescription: `${spec.name}: an execution failed, timed out or was aborted`,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      this.metricLineageDeliveryFailures().createAlarm(this, 'LineageDeliveryAlarm', {
        alarmDescription: `${spec.name}: lineage events were not delivered (kept in the outbox for replay)`,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
        alarmDescription: `${spec.name}: a trigger or a status change could not be delivered (see the dead-letter queue)`,
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(notify);

    acknowledgeDataPipelineFindings({
      functions: allFunctions,
      stepFunctions: [...stepFunctions.values()],
      stateMachine: this.stateMachine,
      deadLetterQueue: this.deadLetterQueue,
      ...(this.lineageApiKeySecret instanceof secretsmanager.Secret ? { createdSecret: this.lineageApiKeySecret } : {}),
    });
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
      metricName: 'LineageDeliveryFailures',
      statistic: 'Sum',
      period: Duration.minutes(5),
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
