import { describe, expect, it } from 'vitest';
import { javaDateTime, marquezTime, storedTime } from '../../../lineage/catalog/times.ts';

describe('catalog times', () => {
  it.each([
    ['2026-11-30T12:00:00Z', '2026-11-30T12:00:00.000000Z', '2026-11-30T12:00:00Z'],
    ['2026-11-30T21:01:30.490Z', '2026-11-30T21:01:30.490000Z', '2026-11-30T21:01:30.490Z'],
    ['2026-11-30T20:31:00.5Z', '2026-11-30T20:31:00.500000Z', '2026-11-30T20:31:00.500Z'],
    // Nanoseconds round half up to microseconds, as PostgreSQL keeps them; offsets become UTC.
    ['2026-11-30T22:30:00.123456789+02:00', '2026-11-30T20:30:00.123457Z', '2026-11-30T20:30:00.123457Z'],
    ['2026-11-30T10:00:00.9999996Z', '2026-11-30T10:00:01.000000Z', '2026-11-30T10:00:01Z'],
    ['2026-11-30T10:00:00+0530', '2026-11-30T04:30:00.000000Z', '2026-11-30T04:30:00Z'],
    ['2026-11-30T10:00:00-03', '2026-11-30T13:00:00.000000Z', '2026-11-30T13:00:00Z'],
    // Without a zone: UTC, as Marquez reads it.
    ['2026-11-30T10:00', '2026-11-30T10:00:00.000000Z', '2026-11-30T10:00:00Z'],
  ])('stores %s as %s and writes it as Marquez does, %s', (input, stored, written) => {
    expect(storedTime(input)).toBe(stored);
    expect(marquezTime(stored)).toBe(written);
  });

  it.each(['nope', '2026-13-01T00:00:00Z', '2026-11-30', '2026-11-30T25:00:00Z', ''])('refuses %j', (input) => {
    expect(storedTime(input)).toBeUndefined();
  });

  it('keeps text order and time order the same in the stored form', () => {
    const times = ['2026-11-30T12:00:00Z', '2026-11-30T12:00:00.5Z', '2026-11-30T12:00:00.123456Z', '2026-11-30T11:59:59.999999Z'];
    const stored = times.map((t) => storedTime(t)!);
    expect([...stored].sort()).toEqual([...stored].sort((a, b) => Date.parse(a) - Date.parse(b)));
  });

  it("writes a nominal time as Java's ZonedDateTime does in UTC (Marquez's run args)", () => {
    expect(javaDateTime('2026-11-30T10:00:00+02:00')).toBe('2026-11-30T08:00Z');
    expect(javaDateTime('2026-11-30T11:00:00.5Z')).toBe('2026-11-30T11:00:00.500Z');
    expect(javaDateTime('2026-11-30T11:00:07Z')).toBe('2026-11-30T11:00:07Z');
  });
});
