import { isSluiceError, SluiceError } from '../../core/errors.ts';
import { lineageEmitter } from '../../lib/runtime/lineage/emitter.ts';
import { mapRunsOf, openStepRuns } from '../../lib/runtime/lineage/open-step-runs.ts';
import { closedStepRunEvent } from '../../lib/runtime/lineage/pipeline-run-lineage.ts';
import { endedChildren, executionHistory } from '../../lib/runtime/lineage/execution-history.ts';
import { ensureLineageApiKey } from '../../lib/runtime/lineage/api-key-secret.ts';
import { formatIssues } from '../../core/issues.ts';
import { logSink, StructuredLog } from '../../lib/runtime/step-log.ts';
import {
  ExecutionStatusChangeSchema,
  pipelineIdentityFromEnv,
  statusChangeRunEvent,
} from '../../lib/runtime/lineage/status-change-event.ts';

// Config is validated once per cold start; a broken deployment fails loudly here.
const pipeline = pipelineIdentityFromEnv(process.env);
await ensureLineageApiKey();
const base = new StructuredLog(logSink(), { pipeline: pipeline.name });
let log = base;
// Undelivered lineage keeps its "sluice: warning" wording, which the construct's metric filter counts.
const emitter = lineageEmitter(process.env, undefined, (message) => log.warn(`sluice: warning: ${message}`));

/**
 * Lambda entry for Step Functions "Execution Status Change" events: emits the pipeline run's
 * START / COMPLETE / FAIL / ABORT. An undelivered event goes to the outbox (replayed later); only when it could
 * not be stored either does this throw, so EventBridge retries and then dead-letters the status change.
 */
export async function handler(event: unknown): Promise<{ emitted: string | null; closedSteps?: number }> {
  const parsed = ExecutionStatusChangeSchema.safeParse(event);
  if (!parsed.success) {
    throw new SluiceError('LINEAGE_STATUS_EVENT', 'not a Step Functions Execution Status Change event', {
      details: formatIssues(parsed.error),
    });
  }
  log = base.with({ execution: parsed.data.detail.executionArn, status: parsed.data.detail.status });
  let runEvent;
  try {
    runEvent = statusChangeRunEvent(pipeline, parsed.data);
  } catch (error) {
    // An execution started by hand without a trigger stops at InvalidInput; it has no run to record.
    if (!isSluiceError(error) || error.code !== 'LINEAGE_STATUS_TRIGGER') throw error;
    log.warn(`${error.message}; no pipeline-run event emitted`);
    return { emitted: null };
  }
  if (!runEvent) return { emitted: null };
  const closedSteps = await closeOpenStepRuns(parsed.data.detail.executionArn, parsed.data.detail.status);
  const result = await emitter.emit(runEvent);
  if (!result.delivered && !result.outbox) {
    throw new SluiceError(
      'LINEAGE_STATUS_UNDELIVERED',
      `${runEvent.eventType} of run ${runEvent.run.runId} was neither delivered nor stored: ${result.error ?? 'unknown'}`,
      {
        retryable: true,
      },
    );
  }
  const emitted = `${runEvent.eventType} ${runEvent.run.runId}${result.delivered ? '' : ` (outbox ${result.outbox})`}`;
  log.info('pipeline-run lineage emitted', { runId: runEvent.run.runId, emitted, closedSteps });
  return { emitted, closedSteps };
}

/** Child executions whose histories one status change reads at most (each is a request; the function has 2 minutes). */
const MAX_CHILD_HISTORIES = 200;

/**
 * A step whose function timed out, was killed or was still running when the execution ended never sent its own
 * FAIL: find those runs in the execution history and end them, so no step run stays RUNNING in the catalog — and the
 * same in every child execution of its Distributed Maps that failed, timed out or was aborted (a succeeded execution's
 * maps may have tolerated failed children). A retried attempt whose function was killed is closed after any ending.
 */
async function closeOpenStepRuns(executionArn: string, status: string): Promise<number> {
  if (status === 'RUNNING') return 0;
  let closed = 0;
  try {
    const history = await executionHistory(executionArn);
    for (const run of openStepRuns(history, status)) {
      await emitter.emit(closedStepRunEvent(pipeline, executionArn, run));
      closed += 1;
    }
    let budget = MAX_CHILD_HISTORIES;
    for (const mapRun of mapRunsOf(history)) {
      const children = await endedChildren(mapRun, budget + 1);
      if (children.length > budget) {
        log.warn(
          `sluice: warning: map run ${mapRun} has more ended children than one status change reads (${MAX_CHILD_HISTORIES}); the rest are not closed`,
        );
      }
      for (const child of children.slice(0, budget)) {
        budget -= 1;
        for (const run of openStepRuns(await executionHistory(child.executionArn), child.status)) {
          // A child's step run has the child execution's run id, under the pipeline run.
          await emitter.emit(closedStepRunEvent(pipeline, executionArn, { ...run, execution: child.executionArn }));
          closed += 1;
        }
      }
    }
  } catch (error) {
    // Lineage never breaks the data path: without the history the pipeline run is still recorded.
    log.warn(`sluice: warning: cannot read the history of ${executionArn} to close its step runs: ${(error as Error).message}`);
  }
  return closed;
}
