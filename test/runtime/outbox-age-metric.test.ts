import { describe, expect, it } from 'vitest';
import { outboxEntryName } from '../../lineage/index.ts';
import { outboxAgeMetric } from '../../lib/runtime/lineage/outbox-age-metric.ts';

describe('outboxAgeMetric', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it('reports the oldest entry’s age in seconds in embedded metric format, under the namespace the alarm watches', () => {
    const oldest = outboxEntryName(now.getTime() - 90 * 60_000);
    expect(outboxAgeMetric('Sluice/churn', oldest, now)).toEqual({
      _aws: {
        Timestamp: now.getTime(),
        CloudWatchMetrics: [
          { Namespace: 'Sluice/churn', Dimensions: [[]], Metrics: [{ Name: 'LineageOutboxOldestAgeSeconds', Unit: 'Seconds' }] },
        ],
      },
      LineageOutboxOldestAgeSeconds: 5400,
    });
  });

  it('reports 0 for an empty outbox, so the alarm clears once the backend took everything', () => {
    expect(outboxAgeMetric('Sluice/churn', undefined, now).LineageOutboxOldestAgeSeconds).toBe(0);
    expect(outboxAgeMetric('Sluice/churn', 'notes.txt', now).LineageOutboxOldestAgeSeconds).toBe(0);
  });
});
