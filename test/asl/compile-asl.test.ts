import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { compileAsl, definePipeline, FUNCTION_ARN_VARIABLES, substituteAsl } from '../../lib/index.ts';
import churn from '../../examples/churn/pipeline.ts';
import { twoSourceDefinition, validDefinition } from '../support/pipelines.ts';

describe('compileAsl', () => {
  it.each([
    ['the example', churn],
    ['a pipeline without schedules', definePipeline(validDefinition())],
    ['a pipeline with two upload sources', definePipeline(twoSourceDefinition())],
    [
      'step names with "-"',
      definePipeline({
        ...validDefinition(),
        steps: validDefinition().steps.map((s) => ({ ...s, name: `${s.name}-step` })),
        triggers: [
          { kind: 'upload', dataset: 'raw' },
          { kind: 'schedule', name: 'nightly', cron: 'cron(0 6 * * ? *)', startAt: 'features-step' },
        ],
      }),
    ],
  ])('produces a document asl-validator accepts for %s', (_, spec) => {
    const asl = compileAsl(spec);
    const { isValid, errors } = aslValidator(asl);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
    const substituted = substituteAsl(asl, { IngestFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:x' });
    expect(aslValidator(substituted).isValid).toBe(true);
  });

  it('makes each step a lambda:invoke Task with its function ARN as a substitution, retries and a catch', () => {
    const asl = compileAsl(churn);
    for (const step of churn.steps) {
      const state = asl.States[step.name] as Record<string, any>;
      expect(state.Type).toBe('Task');
      expect(state.Resource).toBe('arn:aws:states:::lambda:invoke');
      expect(state.Parameters.FunctionName).toBe(`\${${FUNCTION_ARN_VARIABLES[step.kind]}}`);
      expect(state.Parameters.Payload['execution']).toEqual({ 'id.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' });
      expect(state.Retry[0].ErrorEquals).toContain('Lambda.TooManyRequestsException');
      expect(state.Retry[0].ErrorEquals).not.toContain('States.ALL');
      expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }]);
    }
    expect(asl.States.Failed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    expect(asl.States.score).toMatchObject({ Next: 'All steps done' });
    expect(asl.States['All steps done']).toMatchObject({ Type: 'Succeed' });
    expect(asl.States.ingest).toMatchObject({ Next: 'Gate test' });
  });

  it('uses JSONPath only', () => {
    const text = JSON.stringify(compileAsl(churn));
    expect(text).not.toContain('QueryLanguage');
    expect(text).not.toContain('{%');
  });

  it('routes each trigger to a plan of the steps it runs, gating only the steps some trigger skips', () => {
    const asl = compileAsl(churn);
    expect(asl.States.Begin).toMatchObject({ Type: 'Pass', ResultPath: '$.results', Next: 'Route' });
    expect(asl.States.Route).toMatchObject({ Type: 'Choice', Default: 'Unknown trigger' });
    expect((asl.States.Route as any).Choices.map((c: any) => c.Next)).toEqual([
      'InvalidInput',
      'Plan upload raw',
      'Plan schedule nightly',
      'Backfill raw',
    ]);
    expect(asl.States['Plan upload raw']).toMatchObject({
      Type: 'Pass',
      ResultPath: '$.plan',
      Result: { ingest: true, test: true, features: true, score: true },
      Next: 'Gate ingest',
    });
    expect(asl.States['Plan schedule nightly']).toMatchObject({ Result: { ingest: false, test: false, features: true, score: true } });
    expect(Object.keys(asl.States).filter((s) => s.startsWith('Gate '))).toEqual(['Gate ingest', 'Gate test']);
    expect(asl.States['Gate test']).toMatchObject({
      Type: 'Choice',
      // A data-test step starts at the choice between its single scan and its parts (test-parts-asl.ts).
      Choices: [{ Variable: '$.plan.test', BooleanEquals: true, Next: 'Size test' }],
      Default: 'features',
    });
    const single = compileAsl(definePipeline(validDefinition()));
    expect((single.States.Route as any).Choices.map((c: any) => c.Next)).toEqual(['InvalidInput', 'Plan upload raw', 'Backfill raw']);
    expect(Object.keys(single.States).filter((s) => s.startsWith('Gate '))).toEqual([]);
  });

  it('gives each upload source of a multi-source pipeline its own plan', () => {
    const asl = compileAsl(definePipeline(twoSourceDefinition()));
    const plan = (label: string) =>
      Object.entries((asl.States[`Plan ${label}`] as any).Result)
        .filter(([, run]) => run)
        .map(([step]) => step);
    expect(plan('upload raw_customers')).toEqual(['ingest_customers', 'test_customers', 'features', 'score']);
    expect(plan('upload raw_orders')).toEqual(['ingest_orders', 'test_orders', 'features', 'score']);
    expect(plan('schedule nightly')).toEqual(['features', 'score']);
    expect((asl.States.Route as any).Choices[2]).toEqual({
      And: [
        { Variable: '$.trigger.kind', IsPresent: true },
        { Variable: '$.trigger.kind', StringEquals: 'upload' },
        { Variable: '$.trigger.dataset', IsPresent: true },
        { Variable: '$.trigger.dataset', StringEquals: 'raw_orders' },
      ],
      Next: 'Plan upload raw_orders',
    });
  });

  it('uses bracket notation for step names JSONPath dot notation cannot hold', () => {
    const spec = definePipeline({ ...validDefinition(), steps: validDefinition().steps.map((s) => ({ ...s, name: `${s.name}-step` })) });
    const asl = compileAsl(spec);
    expect((asl.States['ingest-step'] as any).ResultPath).toBe("$.results['ingest-step']");
  });

  it('replaces only the substitution variables it is given', () => {
    const asl = substituteAsl(compileAsl(churn), { IngestFunctionArn: 'arn:x' });
    expect((asl.States.ingest as any).Parameters.FunctionName).toBe('arn:x');
    expect((asl.States.test as any).Parameters.FunctionName).toBe('${DataTestsFunctionArn}');
  });
});
