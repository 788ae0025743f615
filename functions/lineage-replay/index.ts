import { SluiceError } from '../../core/errors.ts';
import { LINEAGE_OUTBOX_ENV } from '../../lib/runtime/lineage/s3-outbox.ts';
import { lineageOutboxFromEnvironment } from '../../lib/runtime/lineage/emitter.ts';
import { ensureLineageApiKey } from '../../lib/runtime/lineage/api-key-secret.ts';
import { OpenLineageClient, replayOutbox } from '../../lineage/index.ts';
import { SLUICE_ENV } from '../../core/env.ts';
import { outboxAgeMetric } from '../../lib/runtime/lineage/outbox-age-metric.ts';
import { logSink, StructuredLog } from '../../lib/runtime/step-log.ts';

// Config is validated once per cold start; a deployment without an outbox fails loudly here.
const outbox = lineageOutboxFromEnvironment(process.env);
if (!outbox) throw new SluiceError('CONFIG_INVALID', `${LINEAGE_OUTBOX_ENV}: required (s3://<bucket>/<prefix>)`);
await ensureLineageApiKey();
const client = new OpenLineageClient({ env: process.env });
const log = new StructuredLog(logSink(), { outbox: outbox.describe() });

/** Summary of one replay, as the function returns and logs it. */
export interface ReplaySummary {
  readonly delivered: number;
  readonly rejected: number;
  readonly notTried: number;
  readonly stoppedBy: string | null;
}

/**
 * Lambda entry run on a schedule: re-sends the lineage outbox oldest first and removes what was delivered, so
 * events that missed a down backend arrive later, once. Stops before the function's own timeout.
 */
export async function handler(_event: unknown, context?: { getRemainingTimeInMillis?: () => number }): Promise<ReplaySummary> {
  const budgetMs = Math.max(1000, (context?.getRemainingTimeInMillis?.() ?? 60_000) - 10_000);
  const report = await replayOutbox(outbox!, client, { signal: AbortSignal.timeout(budgetMs) });
  const summary: ReplaySummary = {
    delivered: report.delivered.length,
    rejected: report.rejected.length,
    notTried: report.notTried,
    stoppedBy: report.stoppedBy ?? null,
  };
  // The same warning prefix the steps use, so the lineage-delivery alarm counts a replay that could not deliver.
  if (report.stoppedBy && report.stoppedBy !== 'aborted') {
    log.warn(`sluice: warning: lineage replay of ${outbox!.describe()} stopped: ${report.stoppedBy} (${report.notTried} left)`);
  }
  for (const kept of report.rejected) log.warn(`sluice: warning: lineage outbox entry ${kept.entry} rejected: ${kept.reason}`);
  log.info('lineage replay', { ...summary });
  await reportOldestAge();
  return summary;
}

/**
 * Reports how long the oldest event left in the outbox has waited, written straight to stdout, which Lambda passes
 * on as is (console output would be wrapped in its JSON log and not read as a metric).
 */
async function reportOldestAge(): Promise<void> {
  const namespace = process.env[SLUICE_ENV.metricNamespace];
  if (!namespace) return;
  const [oldest] = await outbox!.list().catch(() => [] as string[]);
  process.stdout.write(`${JSON.stringify(outboxAgeMetric(namespace, oldest, new Date()))}\n`);
}
