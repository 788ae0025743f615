import { describe, expect, it } from 'vitest';
import type { AslDocument } from '../../lib/asl/compile-asl.ts';
import { executeAsl, type LocalHandler } from '../../lib/local/execute-asl.ts';

const options = {
  executionArn: 'arn:aws:states:us-east-1:000000000000:execution:fan:parent-1',
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:fan',
};

/** A machine whose only state is a Distributed Map over `$.items`, each child one `Work` Task. */
function fanOut(map: Record<string, unknown>): AslDocument {
  return {
    Comment: 'fan out',
    StartAt: 'Fan out',
    States: {
      'Fan out': {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Work',
          States: {
            Work: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: { FunctionName: 'work', 'Payload.$': '$' },
              ResultSelector: { 'out.$': '$.Payload' },
              End: true,
            },
          },
        },
        ResultPath: '$.mapped',
        End: true,
        ...map,
      },
    },
  };
}

const items = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('a Distributed Map run locally', () => {
  it('shapes items with ItemSelector, groups them with ItemBatcher and returns the children outputs in item order', async () => {
    const seen: unknown[] = [];
    const work: LocalHandler = async (payload) => {
      seen.push(payload);
      return (payload as { Items: Array<{ n: number }> }).Items.map((item) => item.n * 10);
    };
    const asl = fanOut({
      ItemSelector: { 'n.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'tag.$': '$.tag' },
      ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { 'parent.$': '$$.Execution.Id' } },
      MaxConcurrency: 1,
    });
    const outcome = await executeAsl(asl, { items: items(5), tag: 't' }, { ...options, handlers: { Work: work } });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(seen[0]).toEqual({
      Items: [
        { n: 1, index: 0, tag: 't' },
        { n: 2, index: 1, tag: 't' },
      ],
      BatchInput: { parent: options.executionArn },
    });
    expect((outcome as { output: any }).output.mapped).toEqual([{ out: [10, 20] }, { out: [30, 40] }, { out: [50] }]);
  });

  it('runs each child as an execution of its own under the map run, never more at once than MaxConcurrency', async () => {
    const waiting: Array<() => void> = [];
    const executions = new Set<string>();
    let third!: () => void;
    const threeWaiting = new Promise<void>((resolve) => (third = resolve));
    const work: LocalHandler = async (payload) => {
      await new Promise<void>((release) => {
        waiting.push(release);
        if (waiting.length === 3) third();
      });
      return payload;
    };
    const run = executeAsl(
      fanOut({ MaxConcurrencyPath: '$.concurrency' }),
      { items: items(7), concurrency: 3 },
      {
        ...options,
        handlers: { Work: work },
        onTaskStart: () => undefined,
        onMapRun: (p) => executions.add(p.mapRunArn),
      },
    );
    await threeWaiting;
    // Give any child beyond the third every chance to start before checking that none did.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(waiting).toHaveLength(3);
    while (waiting.length > 0) {
      waiting.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
      for (let i = 0; i < 50 && waiting.length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    }
    const outcome = await run;
    expect(outcome.status).toBe('SUCCEEDED');
    expect([...executions]).toHaveLength(1);
    expect([...executions][0]).toMatch(/^arn:aws:states:us-east-1:000000000000:mapRun:fan\/[0-9a-f-]+:[0-9a-f-]+$/);
  });

  it.each([
    ['no threshold', {}, 'FAILED'],
    ['a percentage the failures stay within', { ToleratedFailurePercentage: 20 }, 'SUCCEEDED'],
    ['a percentage the failures exceed', { ToleratedFailurePercentage: 10 }, 'FAILED'],
    ['a count the failures stay within', { ToleratedFailureCount: 2 }, 'SUCCEEDED'],
    ['a count the failures exceed', { ToleratedFailureCount: 1 }, 'FAILED'],
    ['both, one of them exceeded', { ToleratedFailureCount: 5, ToleratedFailurePercentage: 10 }, 'FAILED'],
  ])('tolerates failed children as Step Functions does with %s', async (_, tolerance, status) => {
    const work: LocalHandler = async (payload) => {
      if ((payload as number) % 5 === 0) throw Object.assign(new Error(`item ${String(payload)} is bad`), { name: 'Sluice.Bad' });
      return payload;
    };
    const outcome = await executeAsl(
      fanOut({ ...tolerance, MaxConcurrency: 2 }),
      { items: items(10) },
      { ...options, handlers: { Work: work } },
    );
    expect(outcome.status).toBe(status);
    if (outcome.status === 'FAILED') {
      expect(outcome.error.name).toBe('States.ExceedToleratedFailureThreshold');
      expect(outcome.error.message).toMatch(/Fan out: \d+ of 10 items failed/);
    }
  });

  it('names the path when an ItemsPath or a …Path field does not give what the map needs', async () => {
    const handlers = { Work: async (p: unknown) => p };
    const notArray = await executeAsl(fanOut({}), { items: 'x' }, { ...options, handlers });
    expect(notArray).toMatchObject({ status: 'FAILED', error: { message: 'Fan out.ItemsPath: expected an array, got string' } });
    const badConcurrency = await executeAsl(fanOut({ MaxConcurrencyPath: '$.n' }), { items: [1], n: 'many' }, { ...options, handlers });
    expect(badConcurrency).toMatchObject({
      status: 'FAILED',
      error: { message: 'Fan out.MaxConcurrency: expected a number >= 0, got "many"' },
    });
    const filter = await executeAsl(fanOut({ ItemsPath: '$.items[?(@ > 1)]' }), { items: [1, 2] }, { ...options, handlers });
    expect(filter).toMatchObject({
      status: 'FAILED',
      error: { message: expect.stringMatching(/only \.name, \['name'\] and \[index\] segments/) },
    });
  });
});
