import { describe, expect, it } from 'vitest';
import churn from '../../examples/churn/pipeline.ts';
import { resources, synthPipeline } from './support.ts';

const { template } = synthPipeline();
const text = (value: unknown): string => JSON.stringify(value);

describe('a data-test step audited in parts, deployed', () => {
  const step = churn.steps.find((s) => s.kind === 'dataTests')!;

  it('deploys the Distributed Map of the staged files and the merge in the state machine', () => {
    const machine = resources(template, 'AWS::StepFunctions::StateMachine')[0]![1];
    const definition = text(machine.Properties.DefinitionString);
    expect(definition).toContain(`Parts ${step.name}`);
    expect(definition).toContain(`Merge ${step.name}`);
    expect(definition).toMatch(/\\"Mode\\":\\"DISTRIBUTED\\"/);
  });

  it("lets the state machine run its own child executions and the data-tests function keep the parts' results", () => {
    const policies = resources(template, 'AWS::IAM::Policy').map(([, p]) => text(p.Properties.PolicyDocument));
    expect(policies.some((p) => p.includes('states:StartExecution'))).toBe(true);
    const partsAccess = policies.filter((p) => p.includes('_sluice/test-parts/*'));
    expect(partsAccess).toHaveLength(1);
    expect(partsAccess[0]).toContain('s3:PutObject');
  });
});
