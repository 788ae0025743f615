import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { compileAsl, definePipeline, FUNCTION_ARN_VARIABLES, substituteAsl } from '../../lib/index.ts';
import churn from '../../examples/churn/pipeline.ts';
import { validDefinition } from '../support/pipelines.ts';

describe('compileAsl', () => {
  it.each([
    ['the example', churn],
    ['a pipeline without schedules', definePipeline(validDefinition())],
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
    expect(asl.States.score).toMatchObject({ End: true });
    expect(asl.States.ingest).toMatchObject({ Next: 'test' });
  });

  it('uses JSONPath only', () => {
    const text = JSON.stringify(compileAsl(churn));
    expect(text).not.toContain('QueryLanguage');
    expect(text).not.toContain('{%');
  });

  it('routes a schedule with startAt to its step and everything else to the first step', () => {
    const asl = compileAsl(churn);
    expect(asl.States.Begin).toMatchObject({ Type: 'Pass', ResultPath: '$.results', Next: 'Route' });
    expect(asl.States.Route).toMatchObject({ Type: 'Choice', Default: 'ingest' });
    expect((asl.States.Route as any).Choices.map((c: any) => c.Next)).toEqual(['InvalidInput', 'features']);
    expect((compileAsl(definePipeline(validDefinition())).States.Route as any).Choices.map((c: any) => c.Next)).toEqual(['InvalidInput']);
  });

  it('replaces only the substitution variables it is given', () => {
    const asl = substituteAsl(compileAsl(churn), { IngestFunctionArn: 'arn:x' });
    expect((asl.States.ingest as any).Parameters.FunctionName).toBe('arn:x');
    expect((asl.States.test as any).Parameters.FunctionName).toBe('${DataTestsFunctionArn}');
  });
});
