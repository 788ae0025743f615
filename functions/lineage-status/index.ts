import { isSluiceError, SluiceError } from '../../lib/errors.ts';
import { stepLineageEmitter } from '../../lib/runtime/lineage-outbox-s3.ts';
import { ensureLineageApiKey } from '../../lib/runtime/lineage-secret.ts';
import { formatIssues } from '../../lib/spec/issue-path.ts';
import { ExecutionStatusChangeSchema, pipelineIdentityFromEnv, statusChangeRunEvent } from './status-event.ts';

// Config is validated once per cold start; a broken deployment fails loudly here.
const pipeline = pipelineIdentityFromEnv(process.env);
await ensureLineageApiKey();
const emitter = stepLineageEmitter(process.env);

/**
 * Lambda entry for Step Functions "Execution Status Change" events: emits the pipeline run's
 * START / COMPLETE / FAIL / ABORT. An undelivered event goes to the outbox (replayed later); only when it could
 * not be stored either does this throw, so EventBridge retries and then dead-letters the status change.
 */
export async function handler(event: unknown): Promise<{ emitted: string | null }> {
  const parsed = ExecutionStatusChangeSchema.safeParse(event);
  if (!parsed.success) {
    throw new SluiceError('LINEAGE_STATUS_EVENT', 'not a Step Functions Execution Status Change event', { details: formatIssues(parsed.error) });
  }
  let runEvent;
  try {
    runEvent = statusChangeRunEvent(pipeline, parsed.data);
  } catch (error) {
    // An execution started by hand without a trigger stops at InvalidInput; it has no run to record.
    if (!isSluiceError(error) || error.code !== 'LINEAGE_STATUS_TRIGGER') throw error;
    process.stderr.write(`sluice: ${error.message}; no pipeline-run event emitted\n`);
    return { emitted: null };
  }
  if (!runEvent) return { emitted: null };
  const result = await emitter.emit(runEvent);
  if (!result.delivered && !result.outbox) {
    throw new SluiceError('LINEAGE_STATUS_UNDELIVERED', `${runEvent.eventType} of run ${runEvent.run.runId} was neither delivered nor stored: ${result.error ?? 'unknown'}`, {
      retryable: true,
    });
  }
  return { emitted: `${runEvent.eventType} ${runEvent.run.runId}${result.delivered ? '' : ` (outbox ${result.outbox})`}` };
}
