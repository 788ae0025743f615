import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { testPartsStates } from '../asl/test-parts-asl.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { grantOnExecutions } from './execution-grants.ts';

/**
 * Grants the state machine what the Distributed Maps of data-test steps audited in parts need: starting, describing
 * and stopping its own child executions. The map reads its items from the state and writes no results to S3; the
 * parts' results go through the data-tests function, whose role the step kind's access already covers.
 */
export function grantTestParts(stateMachine: sfn.StateMachine, spec: PipelineSpec, name: string): void {
  if (!spec.steps.some((step) => testPartsStates(spec, step, '', () => ({})))) return;
  const arn = Stack.of(stateMachine).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [arn] }));
  grantOnExecutions({
    principal: stateMachine,
    nagScope: stateMachine,
    stateMachineName: name,
    actions: ['states:DescribeExecution', 'states:StopExecution'],
    separator: '/',
    reason: "A Distributed Map's child executions get generated names under the machine's own executions; nothing else matches",
  });
}
