import type { PipelineSpec, Step } from '../definition/pipeline-schema.ts';
import { ASL_STATES, ROUTING_STATES } from '../definition/state-names.ts';
import type { TaskStateBuilder } from './backfill-asl.ts';

/** A reference path to a member: dot notation for plain names, bracket notation otherwise (JSONPath's rule). */
function member(base: string, name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `${base}.${name}` : `${base}['${name}']`;
}

/** The state a scoring step goes to after its Task: the Choice between its sharded path and the next step. */
export function scoreShardsEntry(step: Step): string | undefined {
  return step.kind === 'batchScore' ? ROUTING_STATES.scoreShards(step.name).choice : undefined;
}

/**
 * The sharded path of every scoring step. The step's own Task scores a small input as always; above the step's
 * threshold it plans instead (its result carries `shards`), and the Choice after it runs the Distributed Map: one child
 * execution per shard (row groups of the input, read with ItemReader from the plan's items file), each scoring its rows
 * with the model version the plan pinned and writing one predictions part. Then the gather records the predictions
 * batch, all parts in one batch record, and replaces the step's result; when any shard failed, the failure Task names
 * the shards and the execution fails with nothing recorded.
 */
export function scoreShardsStates(
  spec: PipelineSpec,
  task: TaskStateBuilder,
  next: (step: Step) => string,
): Record<string, Record<string, unknown>> {
  const states: Record<string, Record<string, unknown>> = {};
  for (const step of spec.steps) {
    if (step.kind !== 'batchScore') continue;
    const names = ROUTING_STATES.scoreShards(step.name);
    const ref = `${member('$.results', step.name)}.output.shards`;
    states[names.choice] = {
      Type: 'Choice',
      Comment: `Scores ${step.name}'s input in shards when the step planned them (an input above its threshold)`,
      Choices: [{ Variable: ref, IsPresent: true, Next: names.map }],
      Default: next(step),
    };
    const { Catch: _catch, Next: _next, ...child } = task(step, names.shard, { child: true });
    const childPayload = (child['Parameters'] as { Payload: Record<string, unknown> }).Payload;
    states[names.map] = {
      Type: 'Map',
      Comment: `One child execution per shard of ${step.name}'s input`,
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket.$': `${ref}.bucket`, 'Key.$': `${ref}.items` },
      },
      ItemSelector: {
        'shard.$': '$$.Map.Item.Value',
        'trigger.$': '$.trigger',
        'results.$': '$.results',
        parent: { 'executionId.$': '$$.Execution.Id' },
      },
      MaxConcurrencyPath: `${ref}.concurrency`,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: names.shard,
        States: {
          [names.shard]: {
            ...child,
            Comment: `One shard of ${step.name}: its row groups scored into one predictions part`,
            Parameters: { ...(child['Parameters'] as object), Payload: { ...childPayload, phase: 'shard', 'shard.$': '$.shard' } },
            // The child's output is the shard's result alone (`{output}`), which the ResultWriter keeps for the gather.
            ResultPath: '$.shardResult',
            OutputPath: '$.shardResult',
            End: true,
          },
        },
      },
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { 'Bucket.$': `${ref}.bucket`, 'Prefix.$': `${ref}.results` },
      },
      ResultPath: null,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: names.failed }],
      Next: names.gather,
    };
    states[names.gather] = withPayload(
      task(step, next(step), { child: false }),
      { phase: 'gather' },
      `Records ${step.name}'s predictions once every shard succeeded`,
    );
    const failed = withPayload(
      task(step, ASL_STATES.failed, { child: false }),
      { phase: 'shardsFailed', 'shardsError.$': '$.error' },
      `Names the shards of ${step.name} that failed; nothing is recorded`,
    );
    states[names.failed] = { ...failed, ResultPath: '$.error' };
  }
  return states;
}

function withPayload(state: Record<string, unknown>, extra: Record<string, unknown>, comment: string): Record<string, unknown> {
  const parameters = state['Parameters'] as { Payload: Record<string, unknown> };
  return { ...state, Comment: comment, Parameters: { ...parameters, Payload: { ...parameters.Payload, ...extra } } };
}
