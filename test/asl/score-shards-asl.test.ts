import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { compileAsl } from '../../lib/index.ts';
import churn from '../../examples/churn/pipeline.ts';

describe('the sharded scoring states', () => {
  const asl = compileAsl(churn);
  const state = (name: string) => asl.States[name] as Record<string, any>;

  it('goes from the scoring Task to its shard map only when the step planned shards, else on to the next step', () => {
    expect(state('score').Next).toBe('Sharded score');
    expect(state('Sharded score')).toEqual({
      Type: 'Choice',
      Comment: expect.any(String),
      Choices: [{ Variable: '$.results.score.output.shards', IsPresent: true, Next: 'Shards score' }],
      Default: 'All steps done',
    });
  });

  it('runs one child execution per shard of the plan, then gathers, or names the failed shards', () => {
    const map = state('Shards score');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': '$.results.score.output.shards.bucket', 'Key.$': '$.results.score.output.shards.items' },
    });
    expect(map.MaxConcurrencyPath).toBe('$.results.score.output.shards.concurrency');
    expect(map.ToleratedFailurePercentage).toBeUndefined();
    expect(map.ResultWriter.Parameters).toEqual({
      'Bucket.$': '$.results.score.output.shards.bucket',
      'Prefix.$': '$.results.score.output.shards.results',
    });
    expect(map.Next).toBe('Gather score');
    expect(map.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Shards failed score' }]);
    const shard = map.ItemProcessor.States['Shard score'];
    expect(shard.Parameters.Payload).toMatchObject({ phase: 'shard', 'shard.$': '$.shard', 'parent.$': '$.parent' });
    expect(shard.End).toBe(true);
    expect(state('Gather score').Parameters.Payload.phase).toBe('gather');
    expect(state('Gather score').ResultPath).toBe('$.results.score');
    expect(state('Gather score').Next).toBe('All steps done');
    expect(state('Shards failed score').Parameters.Payload).toMatchObject({ phase: 'shardsFailed', 'shardsError.$': '$.error' });
    expect(state('Shards failed score').Next).toBe('Failed');
  });

  it('validates', () => {
    expect(aslValidator(asl).errors).toEqual([]);
  });
});
