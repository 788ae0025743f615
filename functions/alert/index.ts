import { SLUICE_ENV } from '../../core/env.ts';
import { SluiceError } from '../../core/errors.ts';
import { formatIssues } from '../../core/issues.ts';
import { TriggerInputSchema } from '../../lib/asl/step-invocation.ts';
import { alertMarkerKey, executionName } from '../../lib/definition/storage-layout.ts';
import { collectAlert } from '../../lib/runtime/alerts/collect-alert.ts';
import type { ExecutionStatus } from '../../lib/runtime/alerts/alert.ts';
import { executionDefinition } from '../../lib/runtime/alerts/execution-definition.ts';
import { publishAlert } from '../../lib/runtime/alerts/publish-alert.ts';
import { ensureLineageApiKey } from '../../lib/runtime/lineage/api-key-secret.ts';
import { ExecutionStatusChangeSchema } from '../../lib/runtime/lineage/status-change-event.ts';
import { ObjectStore } from '../../lib/runtime/object-store.ts';
import { logSink, StructuredLog } from '../../lib/runtime/step-log.ts';
import { stepRecordsLocation } from '../../lib/runtime/step-record.ts';

// Config is validated once per cold start; a broken deployment fails loudly here.
const topicArn = process.env[SLUICE_ENV.alertTopicArn]?.trim();
if (!topicArn) throw new SluiceError('CONFIG_INVALID', `${SLUICE_ENV.alertTopicArn}: required (the SNS topic alerts go to)`);
const records = stepRecordsLocation(process.env[SLUICE_ENV.stepRecords]);
if (!records) throw new SluiceError('CONFIG_INVALID', `${SLUICE_ENV.stepRecords}: required (s3://<bucket>/<prefix> of the step records)`);
await ensureLineageApiKey();
const store = new ObjectStore(process.env);
const ENDED: readonly string[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

/**
 * Lambda entry for Step Functions "Execution Status Change" events: for a failed, timed-out or aborted execution, a
 * quarantined batch or a warned rule, publishes one SNS message with the blast radius, built from what the pipeline
 * itself recorded (its ASL, its steps' records) and the lineage catalog when one is configured and answers. An
 * execution is alerted once: a marker beside its step records stops a redelivered event from alerting twice.
 */
export async function handler(event: unknown): Promise<{ published: string | null }> {
  const parsed = ExecutionStatusChangeSchema.safeParse(event);
  if (!parsed.success) {
    throw new SluiceError('ALERT_EVENT', 'not a Step Functions Execution Status Change event', { details: formatIssues(parsed.error) });
  }
  const { executionArn, status, input, error, cause } = parsed.data.detail;
  if (!ENDED.includes(status)) return { published: null };
  const log = new StructuredLog(logSink(), { execution: executionArn, status });
  const trigger = TriggerInputSchema.safeParse(parseJson(input)?.['trigger']);
  const found = await collectAlert({
    store,
    records: records!,
    asl: await executionDefinition(executionArn),
    execution: { arn: executionArn, status: status as ExecutionStatus, ...(error ? { error } : {}), ...(cause ? { cause } : {}) },
    ...(trigger.success ? { trigger: trigger.data } : {}),
    ...(process.env[SLUICE_ENV.lineagePageUrl] ? { lineagePageUrl: process.env[SLUICE_ENV.lineagePageUrl] } : {}),
    ...(process.env.OPENLINEAGE_URL
      ? {
          catalog: {
            url: process.env.OPENLINEAGE_URL,
            ...(process.env.OPENLINEAGE_API_KEY ? { apiKey: process.env.OPENLINEAGE_API_KEY } : {}),
          },
        }
      : {}),
  });
  for (const problem of found.unreadable) log.warn(`a step record could not be read: ${problem}`);
  if (!found.alert) return { published: null };
  const marker = alertMarkerKey(records!.prefix, found.alert.pipeline, executionName(executionArn));
  if ((await store.list(records!.bucket, marker.slice(0, marker.lastIndexOf('/')))).some((o) => o.key === marker)) {
    log.info('alert already published for this execution', { pipeline: found.alert.pipeline });
    return { published: null };
  }
  const id = await publishAlert(topicArn!, found.alert);
  await store.putText(records!.bucket, marker, `${JSON.stringify({ messageId: id, status: found.alert.status, topicArn }, null, 2)}\n`);
  log.info('alert published', { pipeline: found.alert.pipeline, alertStatus: found.alert.status, messageId: id });
  return { published: id };
}

function parseJson(text: string | null | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = text ? JSON.parse(text) : undefined;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
