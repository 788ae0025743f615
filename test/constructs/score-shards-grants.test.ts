import { describe, expect, it } from 'vitest';
import churn from '../../examples/churn/pipeline.ts';
import { resources, synthPipeline } from './support.ts';

describe('the state machine role, for a scoring step without any backfill map', () => {
  // Only the nightly schedule: no upload trigger, so no backfill map grants the child executions.
  const spec = {
    ...churn,
    triggers: churn.triggers.filter((t) => t.kind === 'schedule'),
    steps: churn.steps.filter((s) => s.kind === 'featureBuild' || s.kind === 'batchScore'),
  };
  const { template } = synthPipeline({ spec });

  it("grants the shard map its work prefix and the machine's own child executions, once", () => {
    const [[, machine]] = resources(template, 'AWS::StepFunctions::StateMachine') as [[string, { Properties: Record<string, any> }]];
    const roleId = (machine.Properties.RoleArn['Fn::GetAtt'] as string[])[0];
    const [[, policy]] = resources(template, 'AWS::IAM::Policy').filter(([, p]) =>
      (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId),
    ) as [[string, { Properties: Record<string, any> }]];
    const statements = policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>;
    const actions = statements.flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions.filter((a) => a === 'states:StartExecution')).toHaveLength(1);
    expect(actions).toEqual(expect.arrayContaining(['states:DescribeExecution', 'states:StopExecution', 's3:GetObject', 's3:PutObject']));
    const text = JSON.stringify(statements);
    expect(text).toContain('/_sluice/score-shards/score/*');
    expect(text).not.toContain('_sluice/backfill');
  });
});
