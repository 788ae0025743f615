import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { runStateOf } from '../../definition/state-names.ts';

/** A step run that started (its handler emitted START) but whose handler never emitted COMPLETE or FAIL. */
export interface OpenStepRun {
  readonly state: string;
  readonly attempt: number;
  readonly eventType: 'FAIL' | 'ABORT';
  readonly reason: string;
}

/** Task failures where the handler was stopped from the outside, so it could not report its own FAIL. */
const KILLED = new Set(['Sandbox.Timedout', 'Lambda.Unknown', 'States.Timeout']);

/**
 * Finds the step runs an ended execution left open, from its history: a Task attempt that timed out, whose
 * function was killed, or that was still running when the execution was aborted or timed out. Attempts are
 * counted per state entry like `$$.State.RetryCount`, so the ids match the ones the handlers computed.
 */
export function openStepRuns(history: readonly HistoryEvent[], status: string): OpenStepRun[] {
  const found: OpenStepRun[] = [];
  let state: string | undefined;
  let attempt = -1;
  let open = false;
  const close = (eventType: 'FAIL' | 'ABORT', reason: string): void => {
    if (open && state !== undefined) found.push({ state, attempt, eventType, reason });
    open = false;
  };
  for (const event of history) {
    switch (event.type) {
      case 'TaskStateEntered':
        state = event.stateEnteredEventDetails?.name;
        if (state !== undefined) state = runStateOf(state);
        attempt = -1;
        open = false;
        break;
      case 'TaskScheduled':
        attempt += 1;
        open = true;
        break;
      case 'TaskSucceeded':
        open = false;
        break;
      case 'TaskFailed': {
        const error = event.taskFailedEventDetails?.error ?? '';
        if (KILLED.has(error)) close('FAIL', `the step's function was stopped (${error}) before it could report`);
        else open = false;
        break;
      }
      case 'TaskTimedOut':
        close('FAIL', `the step timed out (${event.taskTimedOutEventDetails?.error ?? 'States.Timeout'})`);
        break;
      default:
        break;
    }
  }
  if (status === 'ABORTED') close('ABORT', 'the execution was aborted while the step ran');
  else if (status === 'TIMED_OUT') close('FAIL', 'the execution timed out while the step ran');
  else if (status === 'FAILED') close('FAIL', 'the execution failed while the step ran');
  return found;
}

/** The Distributed Map runs an execution started (their ARNs), from its history. */
export function mapRunsOf(history: readonly HistoryEvent[]): string[] {
  return history.flatMap((event) =>
    event.type === 'MapRunStarted' && event.mapRunStartedEventDetails?.mapRunArn ? [event.mapRunStartedEventDetails.mapRunArn] : [],
  );
}
