import type { PipelineSpec, Step } from '../definition/pipeline-schema.ts';
import { backfillSteps } from '../definition/run-plans.ts';
import { ASL_STATES, ROUTING_STATES } from '../definition/state-names.ts';
import { backfillResultsPrefix } from '../definition/storage-layout.ts';

/** Builds a step's Task state; `child` adds the parent execution to its payload. */
export type TaskStateBuilder = (step: Step, next: string, options: { child: boolean }) => Record<string, unknown>;

/** The names of the states inside a backfill's child execution (each also carries the dataset). */
const CHILD_STATES = {
  objects: 'Objects',
  begin: 'Begin',
  done: 'Object done',
  failure: 'Name the object',
  cause: 'Write the cause',
  failed: 'Object failed',
} as const;

/** The upload datasets a backfill can run over: every upload trigger's, in trigger order. */
export function backfillDatasets(spec: PipelineSpec): string[] {
  return [...new Set(spec.triggers.flatMap((t) => (t.kind === 'upload' ? [t.dataset] : [])))];
}

/**
 * One Distributed Map state per upload dataset. Its ItemReader lists the prefix the backfill trigger names, its
 * ItemBatcher groups `objectsPerChild` objects per child execution, and each child runs the dataset's ingest and data
 * tests once per object, in order, as the upload path would; MaxConcurrency and the tolerated failure percentage
 * come from the trigger, and ResultWriter keeps every child's outcome in the dataset's bucket.
 */
export function backfillStates(spec: PipelineSpec, task: TaskStateBuilder, next: string): Record<string, Record<string, unknown>> {
  const states: Record<string, Record<string, unknown>> = {};
  for (const ref of backfillDatasets(spec)) {
    const dataset = spec.datasets[ref]!;
    const steps = backfillSteps(spec, ref).map((name) => spec.steps.find((s) => s.name === name)!);
    const results = backfillResultsPrefix(spec.name, dataset, ref);
    states[ROUTING_STATES.backfill(ref)] = {
      Type: 'Map',
      Comment: `Backfills ${ref}: ${steps.map((s) => s.name).join(', ')} for every object under the trigger's prefix`,
      ItemReader: {
        Resource: 'arn:aws:states:::s3:listObjectsV2',
        Parameters: { Bucket: dataset.bucket, 'Prefix.$': '$.trigger.prefix' },
      },
      // Each object becomes the upload trigger the single path would receive for it.
      ItemSelector: {
        kind: 'upload',
        dataset: ref,
        bucket: dataset.bucket,
        'key.$': '$$.Map.Item.Value.Key',
        'etag.$': '$$.Map.Item.Value.Etag',
        'size.$': '$$.Map.Item.Value.Size',
        'time.$': '$$.Map.Item.Value.LastModified',
      },
      ItemBatcher: {
        MaxItemsPerBatchPath: '$.trigger.objectsPerChild',
        BatchInput: { parent: { 'executionId.$': '$$.Execution.Id' } },
      },
      MaxConcurrencyPath: '$.trigger.concurrency',
      ToleratedFailurePercentagePath: '$.trigger.toleratedFailurePercentage',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: ROUTING_STATES.backfillChild(ref, CHILD_STATES.objects),
        States: { [ROUTING_STATES.backfillChild(ref, CHILD_STATES.objects)]: objectsState(ref, steps, task) },
      },
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: results.bucket, Prefix: results.prefix },
      },
      ResultPath: '$.backfill',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: ASL_STATES.failed }],
      Next: next,
    };
  }
  return states;
}

/** The child's inline Map: its objects one after another, each through the steps, stopping at the first failure. */
function objectsState(ref: string, steps: readonly Step[], task: TaskStateBuilder): Record<string, unknown> {
  const name = (state: string) => ROUTING_STATES.backfillChild(ref, state);
  const [begin, done, failure, failed] = [CHILD_STATES.begin, CHILD_STATES.done, CHILD_STATES.failure, CHILD_STATES.failed].map(name) as [
    string,
    string,
    string,
    string,
  ];
  const stepState = (step: Step | undefined) => (step ? name(step.name) : done);
  const states: Record<string, Record<string, unknown>> = {
    [begin]: { Type: 'Pass', Result: {}, ResultPath: '$.results', Next: stepState(steps[0]) },
  };
  steps.forEach((step, i) => {
    const state = task(step, stepState(steps[i + 1]), { child: true });
    states[name(step.name)] = { ...state, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failure }] };
  });
  // What the child reports per object (the ResultWriter keeps it): the key and each step's result.
  states[done] = { Type: 'Pass', Parameters: { 'key.$': '$.trigger.key', 'results.$': '$.results' }, End: true };
  // The cause starts with the failing object's place in the child's Items, so its FAILED entry says which one it was.
  states[failure] = {
    Type: 'Pass',
    Parameters: { 'Error.$': '$.error.Error', 'Cause.$': "States.Format('{}: {}', $.index, $.error.Cause)" },
    ResultPath: '$.failed',
    Next: failed,
  };
  states[failed] = { Type: 'Fail', ErrorPath: '$.failed.Error', CausePath: '$.failed.Cause' };
  return {
    Type: 'Map',
    Comment: 'The objects of this child, one at a time',
    ItemsPath: '$.Items',
    ItemSelector: { 'trigger.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'parent.$': '$.BatchInput.parent' },
    MaxConcurrency: 1,
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: begin, States: states },
    End: true,
  };
}
