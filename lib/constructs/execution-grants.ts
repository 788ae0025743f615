import { ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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

/** How cdk-nag shows a stack's region or account in a finding id: the value, or the pseudo parameter when unresolved. */
function shown(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
}
