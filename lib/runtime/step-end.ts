import { isSluiceError } from '../../core/errors.ts';
import { SLUICE_ENV } from '../../core/env.ts';
import type { StepInvocation, WrittenObject } from '../asl/step-invocation.ts';
import type { ObjectStore } from './object-store.ts';
import type { StepFindings } from './run-step.ts';
import type { StructuredLog } from './step-log.ts';
import { STEP_RECORD_FORMAT, stepRecordsLocation, writeStepRecord, type StepRecord } from './step-record.ts';

/** How a step run ended, as its record, log line and metrics tell it. */
export interface StepEnd {
  readonly invocation: StepInvocation;
  readonly kind: string;
  readonly runId: string;
  readonly batchId: string;
  readonly started: number;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly findings: StepFindings & { readonly modelVersion?: string };
  readonly outputs: readonly WrittenObject[];
  /** The error as the state machine sees it (`Sluice.<CODE>`), and the step's own error for its code and details. */
  readonly error?: { readonly thrown: Error; readonly cause: unknown };
  /** The step's environment (where its record goes, the metric namespace). */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Ends a step run's observability: its record where `SLUICE_STEP_RECORDS` says (what reports and alerts read, the
 * only place a failed step's findings survive), one log line saying how it ended, and its metrics in CloudWatch's
 * embedded format. None of it can fail the step: a record that cannot be written is a warning.
 */
export async function reportStepEnd(store: ObjectStore, log: StructuredLog, end: StepEnd): Promise<StepRecord> {
  const { invocation, findings } = end;
  const durationMs = Date.now() - end.started;
  const cause = end.error?.cause;
  const record: StepRecord = {
    format: STEP_RECORD_FORMAT,
    pipeline: invocation.pipeline.name,
    step: invocation.step.name,
    kind: end.kind,
    status: end.status,
    execution: invocation.execution,
    attempt: invocation.attempt,
    runId: end.runId,
    batchId: end.batchId,
    startedAt: new Date(end.started).toISOString(),
    durationMs,
    ...findings,
    outputs: [...end.outputs],
    ...(end.error
      ? {
          error: {
            name: end.error.thrown.name,
            ...(isSluiceError(cause) ? { code: cause.code } : {}),
            message: cause instanceof Error ? cause.message : String(cause),
            details: isSluiceError(cause) ? [...cause.details] : [],
          },
        }
      : {}),
  };
  const where = stepRecordsLocation(end.env[SLUICE_ENV.stepRecords]);
  if (where) {
    try {
      await writeStepRecord(store, where, record);
    } catch (error) {
      log.warn(
        `step "${record.step}": its record could not be written (reports and alerts will lack its findings): ${(error as Error).message}`,
      );
    }
  }
  const failedRules = findings.rules?.filter((r) => r.severity === 'error').length ?? findings.tests?.failed ?? 0;
  const warnedRules = findings.rules?.filter((r) => r.severity === 'warn').length ?? findings.tests?.warned ?? 0;
  const summary = {
    status: end.status,
    durationMs,
    batch: end.batchId,
    ...(findings.rowsIn !== undefined ? { rowsIn: findings.rowsIn } : {}),
    ...(findings.rowsOut !== undefined ? { rowsOut: findings.rowsOut } : {}),
    ...(findings.rejectedRows !== undefined ? { rejectedRows: findings.rejectedRows } : {}),
    ...(findings.tests ? { tests: findings.tests } : {}),
    ...(findings.rules?.length
      ? { rules: findings.rules.map((r) => `${r.severity === 'error' ? 'FAILED' : 'WARNED'} ${r.name}: ${r.actual}`) }
      : {}),
    outputs: end.outputs.map((o) => `s3://${o.bucket}/${o.key}`),
  };
  if (record.error)
    log.error(`step failed: ${record.error.message}`, { ...summary, error: { name: record.error.name, code: record.error.code } });
  else log.info('step succeeded', summary);
  log.metrics(
    end.env[SLUICE_ENV.metricNamespace]?.trim() || `Sluice/${record.pipeline}`,
    { Pipeline: record.pipeline, Step: record.step },
    {
      RowsIn: { value: findings.rowsIn ?? 0, unit: 'Count' },
      RowsOut: { value: findings.rowsOut ?? 0, unit: 'Count' },
      RejectedRows: { value: findings.rejectedRows ?? 0, unit: 'Count' },
      FailedRules: { value: failedRules, unit: 'Count' },
      WarnedRules: { value: warnedRules, unit: 'Count' },
      StepFailed: { value: end.status === 'FAILED' ? 1 : 0, unit: 'Count' },
      Duration: { value: durationMs, unit: 'Milliseconds' },
    },
    'step metrics',
  );
  return record;
}
