import { ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

/** What may act on a state machine's executions: its role takes the statement, `nagScope` the acknowledgement. */
export interface ExecutionGrant {
  readonly principal: { addToRolePolicy(statement: iam.PolicyStatement): unknown };
  readonly nagScope: IConstruct;
  readonly stateMachineName: string;
  readonly actions: readonly string[];
  /** `:` for the machine's own executions, `/` for a Distributed Map's child executions. */
  readonly separator: ':' | '/';
  /** Why the wildcard is as narrow as it can be, for cdk-nag. */
  readonly reason: string;
}

/**
 * Grants actions on the executions of one state machine only (`<name>:*` or `<name>/*`): execution ARNs are minted per
 * run, so a wildcard after the machine's name is the narrowest scope; cdk-nag's finding for it is acknowledged.
 */
export function grantOnExecutions(grant: ExecutionGrant): void {
  const stack = Stack.of(grant.nagScope);
  const resourceName = `${grant.stateMachineName}${grant.separator}*`;
  const executions = stack.formatArn({ service: 'states', resource: 'execution', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  grant.principal.addToRolePolicy(new iam.PolicyStatement({ actions: [...grant.actions], resources: [executions] }));
  Validations.of(grant.nagScope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}:execution:${resourceName}]`,
    reason: grant.reason,
  });
}

/** Grants actions on the Distributed Map runs of one state machine only (`mapRun:<name>/*`: listing a run's children). */
export function grantOnMapRuns(grant: Omit<ExecutionGrant, 'separator'>): void {
  const stack = Stack.of(grant.nagScope);
  const resourceName = `${grant.stateMachineName}/*`;
  const mapRuns = stack.formatArn({ service: 'states', resource: 'mapRun', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  grant.principal.addToRolePolicy(new iam.PolicyStatement({ actions: [...grant.actions], resources: [mapRuns] }));
  Validations.of(grant.nagScope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}:mapRun:${resourceName}]`,
    reason: grant.reason,
  });
}

/** How cdk-nag shows a stack's region or account in a finding id: the value, or the pseudo parameter when unresolved. */
function shown(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
}

/**
 * Grants a state machine with a Distributed Map starting, describing and stopping its own child executions (once per
 * machine, whichever maps it has: see hasDistributedMap). The ARN is built from the machine's name, as a reference to it would be a cycle.
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

/** Whether an ASL document has a Distributed Map state anywhere (a map's children need grantChildExecutions). */
export function hasDistributedMap(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasDistributedMap);
  if (node === null || typeof node !== 'object') return false;
  const processor = (node as { ItemProcessor?: { ProcessorConfig?: { Mode?: unknown } } }).ItemProcessor;
  if (processor?.ProcessorConfig?.Mode === 'DISTRIBUTED') return true;
  return Object.values(node).some(hasDistributedMap);
}
