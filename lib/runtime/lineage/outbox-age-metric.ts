import { SLUICE_METRICS } from '../../../core/metrics.ts';
import { outboxEntryTime } from '../../../lineage/index.ts';

/**
 * The embedded-metric-format record of how long the oldest outbox entry has waited, in whole seconds (0 when the
 * outbox is empty or the name carries no time), for CloudWatch to turn into the outbox-age alarm's metric.
 */
export function outboxAgeMetric(namespace: string, oldestEntry: string | undefined, now: Date): Record<string, unknown> {
  const since = oldestEntry === undefined ? undefined : outboxEntryTime(oldestEntry)?.getTime();
  const age = since === undefined ? 0 : Math.max(0, Math.round((now.getTime() - since) / 1000));
  return {
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [[]], Metrics: [{ Name: SLUICE_METRICS.lineageOutboxOldestAge, Unit: 'Seconds' }] },
      ],
    },
    [SLUICE_METRICS.lineageOutboxOldestAge]: age,
  };
}
