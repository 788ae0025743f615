import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { mapRunsOf, openStepRuns } from '../../lib/runtime/lineage/open-step-runs.ts';
import { closedStepRunEvent } from '../../lib/runtime/lineage/pipeline-run-lineage.ts';
import { pipelineRunId, stepRunId } from '../../lib/runtime/lineage/run-ids.ts';
import { validateOpenLineageEvent } from '../support/openlineage-validator.ts';

let id = 0;
const entered = (name: string): HistoryEvent => ({
  id: ++id,
  timestamp: new Date(),
  type: 'TaskStateEntered',
  stateEnteredEventDetails: { name },
});
const scheduled = (): HistoryEvent => ({ id: ++id, timestamp: new Date(), type: 'TaskScheduled' });
const succeeded = (): HistoryEvent => ({ id: ++id, timestamp: new Date(), type: 'TaskSucceeded' });
const failed = (error: string): HistoryEvent => ({
  id: ++id,
  timestamp: new Date(),
  type: 'TaskFailed',
  taskFailedEventDetails: { error, resourceType: 'lambda', resource: 'invoke' },
});
const timedOut = (): HistoryEvent => ({
  id: ++id,
  timestamp: new Date(),
  type: 'TaskTimedOut',
  taskTimedOutEventDetails: { error: 'States.Timeout', resourceType: 'lambda', resource: 'invoke' },
});

describe('closing step runs an ended execution left open', () => {
  it('closes a task that timed out, keeping the attempt number the handler used', () => {
    const history = [
      entered('ingest'),
      scheduled(),
      succeeded(),
      entered('test'),
      scheduled(),
      failed('Sluice.Retryable'),
      scheduled(),
      timedOut(),
    ];
    expect(openStepRuns(history, 'FAILED')).toEqual([
      { state: 'test', attempt: 1, eventType: 'FAIL', reason: 'the step timed out (States.Timeout)' },
    ]);
  });

  it('closes a task whose function was killed, but not one whose handler reported its own failure', () => {
    expect(openStepRuns([entered('ingest'), scheduled(), failed('Sandbox.Timedout')], 'FAILED')).toEqual([
      expect.objectContaining({ state: 'ingest', attempt: 0, eventType: 'FAIL' }),
    ]);
    expect(openStepRuns([entered('ingest'), scheduled(), failed('Sluice.DATA_TESTS_FAILED')], 'FAILED')).toEqual([]);
  });

  it('aborts a task still running when the execution was aborted, and finds nothing after a success', () => {
    expect(openStepRuns([entered('ingest'), scheduled(), succeeded(), entered('score'), scheduled()], 'ABORTED')).toEqual([
      { state: 'score', attempt: 0, eventType: 'ABORT', reason: 'the execution was aborted while the step ran' },
    ]);
    expect(openStepRuns([entered('ingest'), scheduled(), succeeded()], 'SUCCEEDED')).toEqual([]);
  });

  it("closes a gather killed mid-run as the step's own run, as its handler named it", () => {
    // An ingest's gather and a sharded scoring step's gather and failure Task are runs of the step itself.
    for (const [state, step] of [
      ['ingest.gather', 'ingest'],
      ['Gather score', 'score'],
      ['Shards failed score', 'score'],
    ]) {
      expect(openStepRuns([entered(state!), scheduled(), failed('Sandbox.Timedout')], 'FAILED')).toEqual([
        expect.objectContaining({ state: step, attempt: 0, eventType: 'FAIL' }),
      ]);
    }
  });

  it("names the runs of a Distributed Map's child executions as their handlers did", () => {
    // Inside the children: a data-test part, a scoring shard, an ingest part and a backfill's step.
    for (const [state, run] of [
      ['Part (check)', 'check.part'],
      ['Shard score', 'score.shard'],
      ['ingest.part', 'ingest.part'],
      ['ingest (backfill raw)', 'ingest'],
    ]) {
      expect(openStepRuns([entered(state!), scheduled()], 'ABORTED')).toEqual([
        expect.objectContaining({ state: run, eventType: 'ABORT' }),
      ]);
    }
  });

  it('finds the map runs an execution started', () => {
    const started = (mapRunArn: string): HistoryEvent => ({
      id: ++id,
      timestamp: new Date(),
      type: 'MapRunStarted',
      mapRunStartedEventDetails: { mapRunArn },
    });
    const arns = ['arn:aws:states:eu-west-1:1:mapRun:churn/ingest.parts:a', 'arn:aws:states:eu-west-1:1:mapRun:churn/Parts check:b'];
    expect(mapRunsOf([entered('ingest.plan'), scheduled(), succeeded(), started(arns[0]!), started(arns[1]!)])).toEqual(arns);
  });

  it("closes a child's run with the child execution's run id, under the pipeline run", () => {
    const arn = 'arn:aws:states:eu-west-1:123456789012:execution:churn:run-1';
    const child = 'arn:aws:states:eu-west-1:123456789012:execution:churn/ingest.parts:c-1';
    const [open] = openStepRuns([entered('ingest.part'), scheduled(), failed('Sandbox.Timedout')], 'FAILED');
    const event = closedStepRunEvent({ name: 'churn', namespace: 'sluice' }, arn, { ...open!, execution: child });
    expect(event.run.runId).toBe(stepRunId(child, 'ingest.part', 0));
    expect(event.job.name).toBe('churn.ingest.part');
    expect((event.run.facets?.parent as unknown as { run: { runId: string } }).run.runId).toBe(pipelineRunId(arn));
  });

  it("emits a valid terminal event with the handler's run id and the pipeline run as parent", () => {
    const arn = 'arn:aws:states:eu-west-1:123456789012:execution:churn:run-1';
    const event = closedStepRunEvent({ name: 'churn', namespace: 'sluice' }, arn, {
      state: 'score',
      attempt: 0,
      eventType: 'ABORT',
      reason: 'aborted',
    });
    expect(event.run.runId).toBe(stepRunId(arn, 'score', 0));
    expect(event.job.name).toBe('churn.score');
    expect((event.run.facets?.parent as unknown as { run: { runId: string } }).run.runId).toBe(pipelineRunId(arn));
    expect(validateOpenLineageEvent(event)).toEqual([]);
  });
});
