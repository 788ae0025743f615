const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

// EventBridge order: minutes, hours, day-of-month, month, day-of-week (1 = Sunday), year.
const FIELDS: readonly Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 1, max: 7, names: DAYS },
  { min: 1970, max: 2199 },
];

/** A set of allowed values per field; `undefined` for "?" (any). */
type CronSets = Array<Set<number> | undefined>;

/**
 * Parses an EventBridge cron expression into allowed values per field. Supports `*`, `?`, lists, ranges,
 * steps and names; the day modifiers `L`, `W` and `#` are not evaluated locally (undefined is returned).
 */
export function parseCron(expression: string): CronSets | undefined {
  const body = /^cron\((.*)\)$/.exec(expression.trim())?.[1] ?? expression.trim();
  const parts = body.split(/\s+/);
  if (parts.length !== 6) return undefined;
  const sets: CronSets = [];
  for (const [i, part] of parts.entries()) {
    const field = FIELDS[i]!;
    if (part === '?') {
      sets.push(undefined);
      continue;
    }
    const values = new Set<number>();
    for (const item of part.split(',')) {
      const [range = '', stepText] = item.split('/');
      const step = stepText === undefined ? 1 : Number(stepText);
      let lo: number;
      let hi: number;
      if (range === '*') [lo, hi] = [field.min, field.max];
      else {
        const [a = '', b] = range.split('-');
        lo = value(a, field);
        hi = b === undefined ? (stepText === undefined ? lo : field.max) : value(b, field);
      }
      if (!Number.isInteger(step) || step < 1 || Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) return undefined;
      for (let v = lo; v <= hi; v += step) values.add(v);
    }
    sets.push(values);
  }
  return sets;
}

function value(text: string, field: Field): number {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + 1 : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  return n >= field.min && n <= field.max ? n : Number.NaN;
}

/** The latest time at or before `at` (UTC, whole minutes) that the cron expression fires, within a year back. */
export function previousFireTime(expression: string, at: Date): Date | undefined {
  const sets = parseCron(expression);
  if (!sets) return undefined;
  const [minutes, hours, doms, months, dows, years] = sets;
  const t = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  const limit = t.getTime() - 366 * 86_400_000;
  while (t.getTime() >= limit) {
    const dayMatches = (doms?.has(t.getUTCDate()) ?? true) && (dows?.has(t.getUTCDay() + 1) ?? true);
    if (!dayMatches || !months?.has(t.getUTCMonth() + 1) || !years?.has(t.getUTCFullYear())) {
      // Jump to the last minute of the previous day.
      t.setUTCHours(0, 0, 0, 0);
      t.setTime(t.getTime() - 60_000);
      continue;
    }
    if (hours?.has(t.getUTCHours()) && minutes?.has(t.getUTCMinutes())) return t;
    t.setTime(t.getTime() - 60_000);
  }
  return undefined;
}
