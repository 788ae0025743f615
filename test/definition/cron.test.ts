import { describe, expect, it } from 'vitest';
import { parseCron, previousFireTime } from '../../lib/definition/cron.ts';

describe('EventBridge cron', () => {
  it.each([
    ['cron(0 6 * * ? *)', '2026-11-23T19:42:10Z', '2026-11-23T06:00:00.000Z'],
    ['cron(0 6 * * ? *)', '2026-11-23T05:59:00Z', '2026-11-22T06:00:00.000Z'],
    ['cron(0 6 * * ? *)', '2026-11-23T06:00:30Z', '2026-11-23T06:00:00.000Z'],
    ['cron(*/15 * * * ? *)', '2026-11-23T19:44:00Z', '2026-11-23T19:30:00.000Z'],
    ['cron(30 9 ? * MON-FRI *)', '2026-11-22T12:00:00Z', '2026-11-20T09:30:00.000Z'],
    ['cron(0 0 1 JAN,JUL ? *)', '2026-11-23T00:00:00Z', '2026-07-01T00:00:00.000Z'],
    ['0 12 15 * ? 2026', '2026-11-23T00:00:00Z', '2026-11-15T12:00:00.000Z'],
  ])('%s fired last at or before %s at %s', (cron, at, expected) => {
    expect(previousFireTime(cron, new Date(at))?.toISOString()).toBe(expected);
  });

  it.each([['cron(0 6 L * ? *)'], ['cron(0 6 ? * 6#3 *)'], ['cron(61 6 * * ? *)'], ['cron(0 6 * *)'], ['cron(0 6 * FOO ? *)']])(
    'does not evaluate %s',
    (cron) => {
      expect(parseCron(cron)).toBeUndefined();
    },
  );

  it('finds nothing for a year that has passed', () => {
    expect(previousFireTime('cron(0 6 * * ? 2020)', new Date('2026-11-23T00:00:00Z'))).toBeUndefined();
  });
});
