import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SLUICE_ENV } from '../../core/env.ts';
import type { PrefixRef } from '../definition/step-kinds/index.ts';
import { grantPrefixes } from './bucket-grants.ts';
import { grantOnExecutions } from './execution-grants.ts';
import { SluiceFunction } from './sluice-function.ts';

/** Settings of {@link PipelineAlerts}. */
export interface PipelineAlertsProps {
  readonly pipelineName: string;
  readonly stateMachine: sfn.StateMachine;
  /** The state machine's concrete name, so the executions the function may describe are known at synth time. */
  readonly stateMachineName: string;
  readonly topic: sns.ITopic;
  /** Where the steps write their records (`<prefix>/<pipeline>/<execution>/<step>.json`). */
  readonly stepRecords: PrefixRef;
  readonly buckets: ReadonlyMap<string, s3.Bucket>;
  /** The lineage settings every function gets (the catalog, when configured, is asked for further downstream jobs). */
  readonly environment: Record<string, string>;
  readonly lineagePageUrl?: string;
  readonly logRetention: logs.RetentionDays;
  readonly deadLetterQueue: sqs.IQueue;
  readonly runtime: lambda.Runtime;
}

/**
 * One SNS message per execution that failed, timed out or was aborted, quarantined a batch or had a warned rule:
 * a function on the execution's status change builds it from the state machine definition and the steps' records
 * (the blast radius, the root-cause candidates with their values, the quarantined batch) and publishes it.
 */
export class PipelineAlerts extends Construct {
  readonly function: SluiceFunction;

  constructor(scope: Construct, id: string, props: PipelineAlertsProps) {
    super(scope, id);
    const records = `s3://${props.stepRecords.bucket}/${props.stepRecords.prefix}`;
    this.function = new SluiceFunction(this, 'Alert', {
      name: 'alert',
      description: `Sluice ${props.pipelineName}: publishes an alert with the blast radius of a failed, quarantined or warned run`,
      environment: {
        ...props.environment,
        [SLUICE_ENV.alertTopicArn]: props.topic.topicArn,
        [SLUICE_ENV.stepRecords]: records,
        ...(props.lineagePageUrl ? { [SLUICE_ENV.lineagePageUrl]: props.lineagePageUrl } : {}),
      },
      memorySize: 256,
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
      runtime: props.runtime,
    });
    const fn = this.function.function;
    props.topic.grantPublish(fn);
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        "Publishing to an encrypted topic needs GenerateDataKey (the * covers its WithoutPlaintext form), on the topic's own key only",
    });
    const own = { bucket: props.stepRecords.bucket, prefix: `${props.stepRecords.prefix}/${props.pipelineName}` };
    grantPrefixes(fn, props.buckets, [own], ['read', 'write']);
    this.#allowDescribe(props.stateMachineName);
    new events.Rule(this, 'ExecutionEnded', {
      description: `Alerts of ${props.pipelineName}: executions that ended (failed, timed out, aborted, or succeeded with warnings)`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [props.stateMachine.stateMachineArn], status: ['FAILED', 'TIMED_OUT', 'ABORTED', 'SUCCEEDED'] },
      },
      targets: [
        new targets.LambdaFunction(fn, { deadLetterQueue: props.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(6) }),
      ],
    });
  }

  /** The function reads the definition of the state machine version an execution ran: its steps and plans. */
  #allowDescribe(stateMachineName: string): void {
    grantOnExecutions({
      principal: this.function.function,
      nagScope: this.function,
      stateMachineName,
      actions: ['states:DescribeStateMachineForExecution'],
      separator: ':',
      reason: 'Execution ARNs are minted per run; "<state machine>:*" is the narrowest scope that covers this pipeline\'s executions only',
    });
  }
}
