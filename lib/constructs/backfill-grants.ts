import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { backfillDatasets } from '../asl/backfill-asl.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { backfillResultsPrefix } from '../definition/storage-layout.ts';
import { grantPrefixes } from './bucket-grants.ts';
import { grantOnExecutions } from './execution-grants.ts';

/**
 * Grants the state machine what its backfill Distributed Maps need and nothing more: listing and reading each upload
 * dataset's prefix (ItemReader), writing its results prefix (ResultWriter), and starting, describing and stopping its
 * own child executions. The ARN is built from the machine's name, as a reference to the machine would be a cycle.
 */
export function grantBackfill(
  stateMachine: sfn.StateMachine,
  spec: PipelineSpec,
  buckets: ReadonlyMap<string, s3.IBucket>,
  name: string,
): void {
  const datasets = backfillDatasets(spec);
  if (datasets.length === 0) return;
  const sources = datasets.map((ref) => ({ bucket: spec.datasets[ref]!.bucket, prefix: spec.datasets[ref]!.prefix }));
  grantPrefixes(stateMachine, buckets, sources, ['read']);
  grantPrefixes(
    stateMachine,
    buckets,
    datasets.map((ref) => backfillResultsPrefix(spec.name, spec.datasets[ref]!, ref)),
    ['write'],
  );
  grantChildExecutions(stateMachine, name);
}

/**
 * Grants a state machine with a Distributed Map starting, describing and stopping its own child executions (once per
 * machine, whichever maps it has). The ARN is built from the machine's name, as a reference to it would be a cycle.
 */
export function grantChildExecutions(stateMachine: sfn.StateMachine, name: string): void {
  const stack = Stack.of(stateMachine);
  const arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'states', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [arn('stateMachine', name)] }));
  grantOnExecutions({
    principal: stateMachine,
    nagScope: stateMachine,
    stateMachineName: name,
    actions: ['states:DescribeExecution', 'states:StopExecution'],
    separator: '/',
    reason: "A Distributed Map's child executions get generated names under the machine's own executions; nothing else matches",
  });
}
