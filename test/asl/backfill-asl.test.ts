import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { compileAsl, definePipeline } from '../../lib/index.ts';
import churn from '../../examples/churn/pipeline.ts';
import { twoSourceDefinition } from '../support/pipelines.ts';

type State = Record<string, any>;

/** Every state of a document, nested processors included, by name. */
function allStates(states: Record<string, State>): Array<[string, State]> {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : []),
  ]);
}

describe('the backfill Distributed Map', () => {
  const asl = compileAsl(churn);
  const map = asl.States['Backfill raw'] as State;

  it('routes a backfill trigger of an upload dataset to its map', () => {
    const choice = (asl.States.Route as State).Choices.find((c: State) => c.Next === 'Backfill raw');
    expect(choice.And).toEqual([
      { Variable: '$.trigger.kind', IsPresent: true },
      { Variable: '$.trigger.kind', StringEquals: 'backfill' },
      { Variable: '$.trigger.dataset', IsPresent: true },
      { Variable: '$.trigger.dataset', StringEquals: 'raw' },
    ]);
  });

  it("lists the dataset's bucket under the trigger's prefix and runs child executions with the trigger's concurrency and tolerance", () => {
    expect(map).toMatchObject({
      Type: 'Map',
      ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'churn-data', 'Prefix.$': '$.trigger.prefix' } },
      ItemBatcher: { MaxItemsPerBatchPath: '$.trigger.objectsPerChild', BatchInput: { parent: { 'executionId.$': '$$.Execution.Id' } } },
      MaxConcurrencyPath: '$.trigger.concurrency',
      ToleratedFailurePercentagePath: '$.trigger.toleratedFailurePercentage',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: 'churn-data', Prefix: '_sluice/backfill/churn/raw' },
      },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
      Next: 'All steps done',
    });
    // Each listed object becomes the very upload trigger the single path receives.
    expect(map.ItemSelector).toEqual({
      kind: 'upload',
      dataset: 'raw',
      bucket: 'churn-data',
      'key.$': '$$.Map.Item.Value.Key',
      'etag.$': '$$.Map.Item.Value.Etag',
      'size.$': '$$.Map.Item.Value.Size',
      'time.$': '$$.Map.Item.Value.LastModified',
    });
  });

  it('runs ingest and data tests per object in each child, with the backfill execution as the parent', () => {
    const tasks = allStates(map.ItemProcessor.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([name]) => name)).toEqual(['ingest (backfill raw)', 'test (backfill raw)']);
    for (const [, task] of tasks) {
      expect(task.Parameters.Payload['parent.$']).toBe('$.parent');
      expect(task.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Name the object (backfill raw)' }]);
    }
    expect(asl.States.ingest!.Parameters).not.toHaveProperty('Payload.parent.$');
  });

  it('gives every upload source a map of its own, and every state a name unique in the document', () => {
    const two = compileAsl(definePipeline(twoSourceDefinition()));
    const maps = Object.keys(two.States).filter((name) => name.startsWith('Backfill '));
    expect(maps).toEqual(['Backfill raw_customers', 'Backfill raw_orders']);
    const names = allStates(two.States).map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    const { isValid, errors } = aslValidator(two);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });
});
