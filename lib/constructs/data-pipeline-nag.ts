import { Validations } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { wildcardFindingId } from './bucket-grants.ts';
import type { SluiceFunction } from './sluice-function.ts';

/** The parts of a DataPipeline whose cdk-nag AwsSolutions findings are by design. */
export interface NagScope {
  readonly functions: readonly SluiceFunction[];
  readonly stepFunctions: readonly SluiceFunction[];
  readonly stateMachine: sfn.StateMachine;
  readonly deadLetterQueue: sqs.Queue;
  readonly createdSecret?: secretsmanager.Secret;
}

/**
 * Acknowledges the findings a DataPipeline has by design, each with its reason. Prefix wildcards on S3 are
 * acknowledged where they are granted (bucket-grants.ts), one finding id per prefix.
 */
export function acknowledgeDataPipelineFindings(scope: NagScope): void {
  const xray = {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; tracing needs "*"',
  };
  for (const fn of scope.functions) {
    Validations.of(fn).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The managed basic execution policy only lets the function write its own CloudWatch logs',
      },
      xray,
    );
  }
  Validations.of(scope.stateMachine).acknowledge(xray);
  for (const fn of scope.stepFunctions) {
    const id = wildcardFindingId(fn.function, ':*');
    if (id) {
      Validations.of(scope.stateMachine).acknowledge({
        id,
        reason: 'lambda:InvokeFunction on the step function and its versions (grantInvoke); the ASL invokes exactly this function',
      });
    }
  }
  Validations.of(scope.deadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter queue of the trigger and status-change targets',
  });
  if (scope.createdSecret) {
    Validations.of(scope.createdSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The API key is issued by the lineage backend; it is rotated there and the new value put into this secret',
    });
  }
}
