import { describe, expect, it } from 'vitest';
import { compileAsl, FUNCTION_ARN_VARIABLES, substituteAsl } from '../../lib/asl/compile-asl.ts';
import orders from '../../examples/orders/pipeline.ts';
import { resources, synthPipeline } from './support.ts';

describe('DataPipeline with two upload sources', () => {
  const { template } = synthPipeline({ spec: orders });

  it('starts the one state machine from a rule per upload dataset, each naming its dataset in the trigger', () => {
    const rules = resources(template, 'AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern?.source?.[0] === 'aws.s3');
    const byPrefix = Object.fromEntries(
      rules.map(([, r]) => [
        r.Properties.EventPattern.detail.object.key[0].prefix,
        JSON.parse(
          (r.Properties.Targets[0].InputTransformer.InputTemplate as string).replace(/<([a-z-]+)>/g, (_, name: string) =>
            JSON.stringify(name),
          ),
        ).trigger.dataset,
      ]),
    );
    expect(byPrefix).toEqual({ 'raw/customers/': 'raw_customers', 'raw/orders/': 'raw_orders' });
    const targets = new Set(rules.map(([, r]) => JSON.stringify(r.Properties.Targets[0].Arn)));
    expect(targets.size).toBe(1);
  });

  it('deploys the same ASL the local runner executes', () => {
    const [[, machine]] = resources(template, 'AWS::StepFunctions::StateMachine') as [[string, { Properties: Record<string, any> }]];
    const values = Object.fromEntries(Object.values(FUNCTION_ARN_VARIABLES).map((v) => [v, `arn:${v}`]));
    const deployed = substituteAsl(JSON.parse(machine.Properties.DefinitionString as string), values);
    expect(deployed).toEqual(substituteAsl(compileAsl(orders), values));
    expect(Object.keys(deployed.States).filter((s) => s.startsWith('Plan '))).toEqual([
      'Plan upload raw_customers',
      'Plan upload raw_orders',
      'Plan schedule nightly',
    ]);
  });
});
