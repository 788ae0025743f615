import { describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/runtime/alerts/alert.ts';
import { formatAlert } from '../../lib/runtime/alerts/format-alert.ts';
import { alertMessage } from '../../lib/runtime/alerts/publish-alert.ts';

const SNS_LIMIT = 256 * 1024;

/** An alert of a failed data-test step with `rules` failed rules, each with a long measured value. */
function alertWith(rules: number): Alert {
  return {
    pipeline: 'wide',
    namespace: 'sluice',
    status: 'FAILED',
    execution: {
      arn: 'arn:aws:states:eu-west-1:123456789012:execution:wide:e1',
      name: 'e1',
      runId: '0190f3a4-0000-7000-8000-000000000001',
    },
    failedStep: { name: 'test', kind: 'dataTests' },
    rootCauses: [
      {
        step: 'test',
        kind: 'dataTests',
        status: 'FAILED',
        batch: 'b-1',
        rows: 1000,
        rules: Array.from({ length: rules }, (_, i) => ({
          name: `accepted(column_${i})`,
          assertion: 'accepted_values',
          severity: 'error' as const,
          column: `column_${i}`,
          expected: 'values in ["a", "b", "c"]',
          actual: `12 values outside (e.g. ${'"zzzzzzzzzz", '.repeat(40)})`,
        })),
      },
    ],
    quarantined: [{ dataset: 'quarantine', uri: 's3://wide-data/quarantine/batch=b-1/', rows: 1000, attachments: [] }],
    notUpdated: { datasets: [{ ref: 'published', uri: 's3://wide-data/published' }], jobs: ['sluice:wide.test'] },
  };
}

const bytes = (m: ReturnType<typeof alertMessage>): number =>
  Buffer.byteLength(m.message) +
  Object.entries(m.attributes).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.StringValue ?? ''), 0);

describe('the SNS message of an alert', () => {
  it('carries the whole text and the alert as JSON when they fit', () => {
    const alert = alertWith(3);
    const m = alertMessage(alert);
    expect(m.message).toBe(formatAlert(alert));
    expect(JSON.parse(m.attributes['sluice.alert']!.StringValue!)).toEqual(alert);
    expect(m.attributes['sluice.alert.omitted']).toBeUndefined();
  });

  it('leaves out the JSON attribute, saying so, when text and JSON together are over what SNS takes', () => {
    const alert = alertWith(300);
    expect(Buffer.byteLength(formatAlert(alert))).toBeLessThan(SNS_LIMIT);
    const m = alertMessage(alert);
    expect(m.message).toBe(formatAlert(alert));
    expect(m.attributes['sluice.alert']).toBeUndefined();
    expect(m.attributes['sluice.alert.omitted']!.StringValue).toMatch(/^the alert as JSON is \d+ bytes, over what SNS takes$/);
    expect(m.attributes['sluice.status']!.StringValue).toBe('FAILED');
    expect(bytes(m)).toBeLessThan(SNS_LIMIT);
  });

  it('cuts the text, saying so, when the text alone is over the limit', () => {
    const m = alertMessage(alertWith(1000));
    expect(bytes(m)).toBeLessThan(SNS_LIMIT);
    expect(m.message).toMatch(/^Sluice wide: FAILED at test: 1,000 data tests failed, batch quarantined\n/);
    expect(m.message).toMatch(/\n… \(cut to fit an SNS message; the step records hold every finding\)\n$/);
  });
});
