import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SLUICE_ENV } from '../../core/env.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import type { PrefixRef } from '../definition/step-kinds/index.ts';
import { grantPrefixes } from './bucket-grants.ts';
import { grantOnExecutions, grantOnMapRuns } from './execution-grants.ts';
import { SluiceFunction } from './sluice-function.ts';

/** Settings of {@link PipelineLineage}. */
export interface PipelineLineageProps {
  readonly spec: PipelineSpec;
  readonly stateMachine: sfn.StateMachine;
  /** The state machine's concrete name, so the executions the status function may read are known at synth time. */
  readonly stateMachineName: string;
  readonly environment: Record<string, string>;
  readonly outbox: PrefixRef;
  readonly buckets: ReadonlyMap<string, s3.Bucket>;
  readonly logRetention: logs.RetentionDays;
  readonly replayInterval: Duration;
  /** Where the replay reports the age of the oldest undelivered event. */
  readonly metricNamespace: string;
  readonly deadLetterQueue: sqs.IQueue;
  readonly runtime: lambda.Runtime;
}

/**
 * The lineage of the pipeline run itself and the outbox replay: a function on every execution status change
 * (START/COMPLETE/FAIL/ABORT, and closing step runs a timeout or abort left open), and a scheduled replay.
 */
export class PipelineLineage extends Construct {
  readonly statusFunction: SluiceFunction;
  readonly replayFunction: SluiceFunction;

  constructor(scope: Construct, id: string, props: PipelineLineageProps) {
    super(scope, id);
    const { spec } = props;
    const identity = {
      name: spec.name,
      namespace: spec.namespace,
      datasets: Object.fromEntries(
        Object.entries(spec.datasets).map(([ref, d]) => [ref, { bucket: d.bucket, prefix: d.prefix, format: d.format }]),
      ),
    };
    this.statusFunction = new SluiceFunction(this, 'Status', {
      name: 'lineageStatus',
      description: `Sluice ${spec.name}: pipeline-run lineage from execution status changes`,
      environment: { ...props.environment, [SLUICE_ENV.pipeline]: JSON.stringify(identity) },
      memorySize: 256,
      // Reading the history of an ended execution and of its maps' failed children.
      timeout: Duration.minutes(2),
      logRetention: props.logRetention,
      runtime: props.runtime,
    });
    this.replayFunction = new SluiceFunction(this, 'Replay', {
      name: 'lineageReplay',
      description: `Sluice ${spec.name}: replays the lineage outbox`,
      environment: { ...props.environment, [SLUICE_ENV.metricNamespace]: props.metricNamespace },
      // One replay at a time: entries are claimed too, but a second replay would only skip what the first holds.
      reservedConcurrentExecutions: 1,
      memorySize: 256,
      timeout: Duration.minutes(5),
      logRetention: props.logRetention,
      runtime: props.runtime,
    });
    grantPrefixes(this.statusFunction.function, props.buckets, [props.outbox], ['write']);
    // Write: the claim markers (`_claims/<entry>`) that keep concurrent replays from sending an event twice.
    grantPrefixes(this.replayFunction.function, props.buckets, [props.outbox], ['read', 'write', 'delete']);
    this.#allowExecutionHistory(props.stateMachineName);

    new events.Rule(this, 'ExecutionStatusChange', {
      description: `Pipeline-run lineage of ${spec.name}: every execution status change`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [props.stateMachine.stateMachineArn] },
      },
      targets: [
        new targets.LambdaFunction(this.statusFunction.function, {
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
    new events.Rule(this, 'ReplaySchedule', {
      description: `Replays the lineage outbox of ${spec.name}`,
      schedule: events.Schedule.rate(props.replayInterval),
      targets: [new targets.LambdaFunction(this.replayFunction.function, { retryAttempts: 0 })],
    });
  }

  /**
   * The status function reads an ended execution's history, lists its Distributed Map runs' ended children and reads
   * theirs, to close step runs a timeout, kill or abort left open.
   */
  #allowExecutionHistory(stateMachineName: string): void {
    grantOnExecutions({
      principal: this.statusFunction.function,
      nagScope: this.statusFunction,
      stateMachineName,
      actions: ['states:GetExecutionHistory'],
      separator: ':',
      reason: 'Execution ARNs are minted per run; "<state machine>:*" is the narrowest scope that covers this pipeline\'s executions only',
    });
    grantOnExecutions({
      principal: this.statusFunction.function,
      nagScope: this.statusFunction,
      stateMachineName,
      actions: ['states:GetExecutionHistory'],
      separator: '/',
      reason: "A Distributed Map's child executions get generated names under the machine's own executions; nothing else matches",
    });
    grantOnMapRuns({
      principal: this.statusFunction.function,
      nagScope: this.statusFunction,
      stateMachineName,
      actions: ['states:ListExecutions'],
      reason: 'Map runs get generated ids under the machine\'s name; "<state machine>/*" covers this pipeline\'s map runs only',
    });
  }
}
