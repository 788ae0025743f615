import { z } from 'zod';
import { SluiceError } from '../../../core/errors.ts';
import { pipelineRunEvent, type PipelineRunEventType } from './pipeline-run-lineage.ts';
import { formatIssues } from '../../../core/issues.ts';
import { DatasetSpecSchema, type PipelineSpec } from '../../definition/pipeline-schema.ts';
import { ExecutionTriggerSchema } from '../../asl/step-invocation.ts';
import type { RunEvent } from '../../../lineage/index.ts';
import { SLUICE_ENV } from '../../../core/env.ts';

/** The part of the spec the status function needs (name, namespace, datasets), passed in `SLUICE_PIPELINE`. */
export const PipelineIdentitySchema = z.object({
  name: z.string().min(1),
  namespace: z.string().min(1),
  datasets: z.record(z.string(), DatasetSpecSchema),
});
/** The part of the spec the status function needs. */
export type PipelineIdentity = z.infer<typeof PipelineIdentitySchema>;

/** The EventBridge "Step Functions Execution Status Change" event (the fields used). */
export const ExecutionStatusChangeSchema = z.object({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  time: z.string().optional(),
  detail: z.object({
    executionArn: z.string().min(1),
    stateMachineArn: z.string().optional(),
    status: z.string(),
    input: z.string().nullish(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});
/** A Step Functions execution status change. */
export type ExecutionStatusChange = z.infer<typeof ExecutionStatusChangeSchema>;

const EVENT_TYPES: Readonly<Record<string, PipelineRunEventType>> = {
  RUNNING: 'START',
  SUCCEEDED: 'COMPLETE',
  FAILED: 'FAIL',
  TIMED_OUT: 'FAIL',
  ABORTED: 'ABORT',
};

/** Reads and validates `SLUICE_PIPELINE` (JSON); names every problem. */
export function pipelineIdentityFromEnv(env: Readonly<Record<string, string | undefined>>): PipelineIdentity {
  const raw = env[SLUICE_ENV.pipeline];
  if (!raw) throw new SluiceError('CONFIG_INVALID', 'SLUICE_PIPELINE: required (JSON with name, namespace and datasets)');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new SluiceError('CONFIG_INVALID', `SLUICE_PIPELINE: expected JSON, got ${JSON.stringify(raw.slice(0, 40))}`, { cause: error });
  }
  const parsed = PipelineIdentitySchema.safeParse(value);
  if (!parsed.success) throw new SluiceError('CONFIG_INVALID', 'SLUICE_PIPELINE is invalid', { details: formatIssues(parsed.error) });
  return parsed.data;
}

/**
 * The pipeline run's lineage event for one status change, or undefined for statuses lineage does not record
 * (e.g. PENDING_REDRIVE). The trigger comes from the execution input (`detail.input`, a JSON string).
 */
export function statusChangeRunEvent(pipeline: PipelineIdentity, change: ExecutionStatusChange): RunEvent | undefined {
  const { executionArn, status, input, error, cause } = change.detail;
  const eventType = EVENT_TYPES[status];
  if (!eventType) return undefined;
  // A Distributed Map's child execution (`…:execution:<machine>/<map run>:<id>`) is part of its parent's run.
  if (/:execution:[^:]+\/[^:]+:/.test(executionArn)) return undefined;
  const trigger = ExecutionTriggerSchema.safeParse(parseInput(input)?.['trigger']);
  if (!trigger.success) {
    throw new SluiceError('LINEAGE_STATUS_TRIGGER', `execution ${executionArn}: its input has no valid "trigger"`, {
      details: formatIssues(trigger.error),
    });
  }
  const failure =
    status === 'TIMED_OUT'
      ? { name: error || 'States.Timeout', message: cause || 'the execution timed out' }
      : eventType === 'FAIL'
        ? { name: error || 'States.Failed', message: cause || 'the execution failed' }
        : undefined;
  // pipelineRunEvent reads only the name, namespace and datasets of the spec.
  const spec = { ...pipeline, triggers: [], steps: [] } as unknown as PipelineSpec;
  return pipelineRunEvent(spec, eventType, { arn: executionArn, trigger: trigger.data, ...(failure ? { error: failure } : {}) });
}

function parseInput(input: string | null | undefined): Record<string, unknown> | undefined {
  if (!input) return undefined;
  try {
    const value: unknown = JSON.parse(input);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
