import { describe, expect, it } from 'vitest';
import { resources, roleGrants, synthPipeline } from './support.ts';

const { template } = synthPipeline();

/** The state machine role's statements, as `<action> <resource>` lines with tokens shown by name. */
function stateMachineGrants(): string[] {
  const [[, machine]] = resources(template, 'AWS::StepFunctions::StateMachine') as [[string, { Properties: Record<string, any> }]];
  return roleGrants(template, machine.Properties.RoleArn);
}

describe('the state machine role, for the backfill, ingest-in-parts and scoring shard Distributed Maps', () => {
  it("grants exactly the listing of the upload prefix, the maps' results prefixes, the parts lists and the machine's own child executions", () => {
    const grants = stateMachineGrants();
    const bucket = grants.find((g) => g.startsWith('s3:ListBucket'))!.split(' ')[1];
    expect(grants).toEqual([
      `s3:GetObject ${bucket}/raw/customers/*`,
      `s3:ListBucket ${bucket} if s3:prefix ["raw/customers/*"]`,
      `s3:PutObject ${bucket}/_sluice/backfill/churn/raw/*`,
      // The scoring step's shard map: its items (ItemReader) and results (ResultWriter) under the step's work prefix.
      `s3:GetObject ${bucket}/_sluice/score-shards/score/*`,
      `s3:PutObject ${bucket}/_sluice/score-shards/score/*`,
      `s3:ListBucket ${bucket} if s3:prefix ["_sluice/score-shards/score/*"]`,
      // Once for every map of the machine: its own child executions.
      expect.stringMatching(/^states:StartExecution arn:<AWS::Partition>:states:eu-west-1:123456789012:stateMachine:[\w-]+$/),
      expect.stringMatching(/^states:DescribeExecution arn:<AWS::Partition>:states:eu-west-1:123456789012:execution:[\w-]+\/\*$/),
      expect.stringMatching(/^states:StopExecution arn:<AWS::Partition>:states:eu-west-1:123456789012:execution:[\w-]+\/\*$/),
      // The ItemReader of an ingest in parts reads the parts list the plan wrote beside the staged dataset.
      `s3:GetObject ${bucket}/_sluice/ingest-parts/staged/customers/*`,
      `s3:ListBucket ${bucket} if s3:prefix ["_sluice/ingest-parts/staged/customers/*"]`,
    ]);
    // The ARN it may start is the machine's own (by name: a reference to it from its own role would be a cycle).
    const [[, machine]] = resources(template, 'AWS::StepFunctions::StateMachine') as [[string, { Properties: Record<string, any> }]];
    expect(grants[6]!.endsWith(`:stateMachine:${machine.Properties.StateMachineName}`)).toBe(true);
  });
});

describe('the lineage-status function', () => {
  it("reads the histories of the machine's executions and of its maps' child executions, and lists its map runs' children", () => {
    const [, status] = resources(template, 'AWS::Lambda::Function').find(([, f]) =>
      String(f.Properties.Description).includes('pipeline-run lineage from execution status changes'),
    )!;
    const states = roleGrants(template, status.Properties.Role).filter((g) => g.startsWith('states:'));
    expect(states).toEqual([
      expect.stringMatching(/^states:GetExecutionHistory arn:<AWS::Partition>:states:eu-west-1:123456789012:execution:[\w-]+:\*$/),
      expect.stringMatching(/^states:GetExecutionHistory arn:<AWS::Partition>:states:eu-west-1:123456789012:execution:[\w-]+\/\*$/),
      expect.stringMatching(/^states:ListExecutions arn:<AWS::Partition>:states:eu-west-1:123456789012:mapRun:[\w-]+\/\*$/),
    ]);
  });
});
